"""`madoguchi catalogue_publish_library`: offer the standard library shipped with Madoguchi to
every municipality as national shared procedures (after an upgrade, changed entries become new
versions that adopters see as pending updates)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from madoguchi.catalogue.sharing.services import national_library_publish


class Command(BaseCommand):
    help = "Publish the standard procedure library as national shared procedures."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            versions = national_library_publish()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        for version in versions:
            self.stdout.write(f"{version.shared.slug}\tv{version.number}")
        self.stdout.write(self.style.SUCCESS(f"{len(versions)} national procedure(s) offered"))
