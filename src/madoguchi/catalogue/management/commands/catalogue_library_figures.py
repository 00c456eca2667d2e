"""`madoguchi catalogue_library_figures [--per-procedure]`: the standard library's figures —
procedures, fields, and how many fields the My Number card or a pre-input fills."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.procedures.library.figures import library_figures


class Command(BaseCommand):
    help = "Figures of the standard procedure library: procedures, fields, card and pre-input fill."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-procedure", action="store_true", help="one line per procedure")

    def handle(self, *args: Any, **options: Any) -> None:
        figures = library_figures()
        if options["per_procedure"]:
            self.stdout.write("slug\tfields\tcard\tpreinput\tcard_or_preinput\tstaff_typed")
            for p in figures.procedures:
                self.stdout.write(
                    f"{p.slug}\t{p.fields}\t{p.card}\t{p.preinput}\t{p.either}\t{p.staff_typed}"
                )
        self.stdout.write(f"procedures: {figures.count}")
        self.stdout.write(f"fields: {figures.fields}")
        for label, value in (
            ("filled from the My Number card", figures.card),
            ("carried by a pre-input", figures.preinput),
            ("card or pre-input", figures.either),
        ):
            self.stdout.write(f"{label}: {value} ({figures.share(value):.1%})")
