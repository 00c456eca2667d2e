from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.faq import csv_io
from madoguchi.tenancy.models import Municipality


class Command(BaseCommand):
    help = "FAQ を CSV（UTF-8 または Shift_JIS）から取り込む。誤りがあれば何も取り込まない。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality_code")
        parser.add_argument("path", type=Path)
        parser.add_argument("--encoding", choices=["auto", "utf-8", "shift_jis"], default="auto")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(code=options["municipality_code"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(
                f"団体コード {options['municipality_code']} の自治体がありません。"
            ) from exc
        result = csv_io.import_csv(
            municipality=municipality,
            data=options["path"].read_bytes(),
            encoding=options["encoding"],
            dry_run=options["dry_run"],
        )
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} 件の誤りがあるため、何も取り込みませんでした。"
            )
        verb = "確認" if options["dry_run"] else "取り込み"
        self.stdout.write(f"{verb}: 追加 {result.created} 件、更新 {result.updated} 件")
