"""madoguchi jobs prune

Deletes background jobs finished more than JOBS_RETENTION_DAYS ago, with the files they kept
(export results, imported bundles). Run it daily, beside `madoguchi tasks prune`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.jobs.services import jobs_prune


class Command(BaseCommand):
    help = "保存期間を過ぎた終了済みのバックグラウンド処理と、その出力ファイルを削除します。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"jobs={jobs_prune()}")
