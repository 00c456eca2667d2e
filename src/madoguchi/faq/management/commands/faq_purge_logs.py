from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.faq import services


class Command(BaseCommand):
    help = "保存期間（FAQ_LOG_RETENTION_DAYS、既定365日）を過ぎた質問の記録を削除する。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="override the retention period")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.faq_logs_purge(days=options["days"])
        self.stdout.write(f"deleted={deleted}")
