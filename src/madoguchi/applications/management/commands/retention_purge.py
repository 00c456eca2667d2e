"""madoguchi retention_purge [--apply] [--municipality CODE]

Dry run by default: prints what would be purged (anonymous counts). With --apply, removes the
personal data and attachments of applications past their procedure's retention period, and
deletes expired drafts and orphaned uploads (replaced files, rows without a draft or an
application, stored files no row points to).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.applications import retention
from madoguchi.tenancy.models import Municipality


class Command(BaseCommand):
    help = "保存期間を過ぎた申請の個人情報と添付ファイルを削除します（既定は確認のみ）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="本当に削除する")
        parser.add_argument("--municipality", default="", help="団体コード（省略時はすべて）")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"団体コード {options['municipality']} の自治体がありません。")
        if options["apply"]:
            lines = retention.purge(municipality=municipality)
        else:
            lines = retention.plan(municipality=municipality)
        for line in lines:
            self.stdout.write(
                f"municipality={line.municipality} procedure={line.procedure} "
                f"status={line.status} count={line.count}"
            )
        self.stdout.write(
            retention.orphans(municipality=municipality, apply=options["apply"]).line()
        )
        total = sum(line.count for line in lines)
        mode = "purged" if options["apply"] else "dry_run"
        self.stdout.write(f"mode={mode} applications={total}")
