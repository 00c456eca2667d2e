"""madoguchi notifications retry

Sends again every queued notification whose wait is over (and any whose task was lost). With the
immediate task backend this is how failed mails are retried: run it every few minutes (cron or a
systemd timer). With the database backend the task worker retries by itself; running this as
well is harmless (each attempt claims its row, so nothing is sent twice).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.notifications.services import notifications_retry_due


class Command(BaseCommand):
    help = "送信待ちの通知のうち、再送の時刻が来たものを送ります。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="一度に送る最大件数")

    def handle(self, *args: Any, **options: Any) -> None:
        report = notifications_retry_due(limit=options["limit"])
        self.stdout.write(
            f"due={report.due} sent={report.sent} "
            f"still_queued={report.still_queued} failed={report.failed}"
        )
