"""`madoguchi linkage_import CSV --municipality CODE`: the certificate serial → 宛名番号 table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.intake.services import LinkageRefused, linkage_import
from madoguchi.tenancy.models import Municipality


class Command(BaseCommand):
    help = "住民記録システムから出力した紐付け表（CSV）を取り込みます。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", help="紐付け表（CSV）のパス")
        parser.add_argument("--municipality", required=True, help="団体コード（6桁）")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="全件置換：ファイルにない紐付けを削除する",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"ファイルが見つかりません: {path}")
        try:
            municipality = Municipality.objects.get(code=options["municipality"])
        except Municipality.DoesNotExist:
            raise CommandError(
                f"団体コード {options['municipality']} の自治体は登録されていません。"
            ) from None
        try:
            history = linkage_import(
                municipality=municipality, path_or_file=path, full_replace=options["replace"]
            )
        except LinkageRefused as exc:
            raise CommandError(exc.message) from None
        for error in history.errors:
            self.stderr.write(f"{error['line']}行目: {error['message']}")
        self.stdout.write(
            f"created={history.created} updated={history.updated} removed={history.removed} "
            f"unchanged={history.unchanged} matched={history.matched} errors={len(history.errors)}"
        )
