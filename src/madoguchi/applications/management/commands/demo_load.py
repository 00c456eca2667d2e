from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from madoguchi.demo import DEMO_PASSWORD, DEMO_STAFF, demo_load


class Command(BaseCommand):
    help = "Load the demo municipality, its procedures and demo staff (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = demo_load()
        verbosity = options["verbosity"]
        # The standard library offered as national shared procedures (/staff/catalogue/shared/),
        # as on a real deployment; an unchanged library makes no new version on a second run.
        call_command("catalogue_publish_library", verbosity=0)
        call_command("faq_demo", municipality.code, verbosity=verbosity)
        call_command(
            "reservations_demo", municipality.code, "--sample-bookings", "20", verbosity=verbosity
        )
        call_command(
            "region_demo", municipality.code, "--password", DEMO_PASSWORD, verbosity=verbosity
        )
        # A past year of visits, applications and questions: the dashboards' first-run data.
        call_command("insights_demo", municipality.code, verbosity=verbosity)
        if verbosity < 1:
            return
        self.stdout.write(f"Demo municipality: {municipality} ({municipality.code})")
        self.stdout.write(f"Residents: /{municipality.code}/")
        users = ", ".join([*(name for name, *_ in DEMO_STAFF), "demo-prefecture"])
        self.stdout.write(f"Staff: /staff/login/ as {users} — password {DEMO_PASSWORD}")
