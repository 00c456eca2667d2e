"""`manage.py procedures_import PATH [--municipality CODE]`: import procedures from JSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from madoguchi.procedures.services import library_install, procedure_import
from madoguchi.tenancy.models import Municipality


class Command(BaseCommand):
    help = (
        "Import procedures from a JSON file (one procedure or a list) or a directory of them; "
        "'library' installs the standard library. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a .json file, a directory of .json files, or 'library'")
        parser.add_argument(
            "--municipality",
            metavar="CODE",
            help="6-digit municipality code (default: the only municipality)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = self._municipality(options["municipality"])
        try:
            with transaction.atomic():
                if options["path"] == "library":
                    procedures = library_install(municipality=municipality)
                else:
                    procedures = [
                        procedure_import(municipality=municipality, data=entry)
                        for entry in self._entries(Path(options["path"]))
                    ]
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        for procedure in procedures:
            version = procedure.current_version
            number = version.number if version else "-"
            self.stdout.write(f"{procedure.slug}\tv{number}\t{procedure.name}")
        self.stdout.write(self.style.SUCCESS(f"{len(procedures)} procedure(s) imported"))

    def _municipality(self, code: str | None) -> Municipality:
        if code:
            try:
                return Municipality.objects.get(code=code)
            except Municipality.DoesNotExist:
                raise CommandError(f"no municipality with code {code}") from None
        municipalities = list(Municipality.objects.all()[:2])
        if len(municipalities) != 1:
            raise CommandError("give --municipality CODE")
        return municipalities[0]

    def _entries(self, path: Path) -> list[Any]:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        entries: list[Any] = []
        for file in files:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{file}: {exc}") from None
            entries.extend(data if isinstance(data, list) else [data])
        return entries
