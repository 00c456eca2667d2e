"""madoguchi tasks prune

Deletes finished background-task rows older than TASKS_RESULT_RETENTION_DAYS and finished
notifications older than NOTIFICATIONS_RETENTION_DAYS (a notification still queued that long is
given up first). Run it daily.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.notifications.services import finished_work_prune


class Command(BaseCommand):
    help = "終わったバックグラウンド処理と通知の記録のうち、保存期間を過ぎたものを削除します。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = finished_work_prune()
        self.stdout.write(
            f"task_results={report.task_results} notifications={report.notifications} "
            f"expired={report.expired}"
        )
