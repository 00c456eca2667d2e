"""Roll up the past days' figures for the dashboards (run nightly, e.g. from cron at 01:00).

madoguchi insights_rollup               every municipality: new days, and the last 35 again
madoguchi insights_rollup --code 229997 --days 400    rebuild one municipality's last 400 days
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from madoguchi.insights.rollups import municipality_ids, rollup_build


class Command(BaseCommand):
    help = "分析画面のために、前日までの集計を作ります（毎晩実行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", help="この自治体だけ（団体コード）")
        parser.add_argument("--days", type=int, help="この日数分を作り直す")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        first = today - timedelta(days=options["days"]) if options["days"] else None
        total = 0
        ids = municipality_ids(code=options["code"])
        for municipality_id in ids:
            total += rollup_build(municipality_id=municipality_id, first=first, today=today)
        self.stdout.write(f"insights rollup: municipalities={len(ids)} rows={total}")
