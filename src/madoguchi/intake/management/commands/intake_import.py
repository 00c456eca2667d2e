"""`madoguchi intake import PATH --municipality CODE` (Django name: intake_import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core import forking
from madoguchi.intake.services import bundle_import
from madoguchi.tenancy.models import Municipality


class Command(BaseCommand):
    help = "外部連携のバンドル（zip）を取り込みます。同じバンドルを何度取り込んでも結果は同じです。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="バンドル（zip）のパス")
        parser.add_argument(
            "--municipality", required=True, help="取り込む自治体の団体コード（6桁）"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="申請の検査に使うプロセス数（省略時は設定 INTAKE_WORKERS、0 は CPU の数）",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="保留（取り込めなかった申請）が1件でもあれば終了コード 3 で終わる",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"ファイルが見つかりません: {path}")
        try:
            municipality = Municipality.objects.get(code=options["municipality"])
        except Municipality.DoesNotExist:
            raise CommandError(
                f"団体コード {options['municipality']} の自治体は登録されていません。"
            ) from None
        workers = options["workers"]
        if workers is None:
            workers = settings.INTAKE_WORKERS
        report = bundle_import(
            municipality=municipality,
            path_or_file=path,
            workers=workers if workers > 0 else forking.default_workers(),
        )
        if report.refused:
            raise CommandError(f"取り込めません: {report.refused}")
        for rejection in report.rejections:
            reasons = " / ".join(
                f"{r['field']}: {r['message']}" if r["field"] else r["message"]
                for r in rejection.reasons
            )
            self.stderr.write(f"保留 {rejection.receipt_number or rejection.member}: {reasons}")
        self.stdout.write(
            f"run={report.run.pk} total={report.total} imported={report.imported} "
            f"duplicates={report.duplicates} rejected={report.rejected}"
        )
        if options["strict"] and report.rejected:
            raise CommandError("保留になった申請があります。", returncode=3)
