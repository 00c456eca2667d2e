"""A past year of visits, applications and FAQ questions for a municipality (demo data).

madoguchi insights_demo 229997            once: does nothing when the history exists
madoguchi insights_demo 229997 --days 90 --scale 0.5
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi import demo_history
from madoguchi.insights.rollups import rollup_build


class Command(BaseCommand):
    help = "デモ用に過去1年分の来庁・申請・FAQ の記録を作ります（分析画面の見本）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="全国地方公共団体コード（6桁）")
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = demo_history.municipality_by_code(options["code"])
        if municipality is None:
            raise CommandError(f"municipality {options['code']} not found")
        if demo_history.history_exists(municipality):
            if options["verbosity"] >= 1:
                self.stdout.write("insights demo: history already present")
            return
        counts = demo_history.generate(municipality, days=options["days"], scale=options["scale"])
        # The nightly rollup, done once now so the first dashboard is fast.
        counts["rollup_rows"] = rollup_build(municipality_id=municipality.pk)
        shapes = demo_history.load_shapes().source
        if options["verbosity"] >= 1:
            self.stdout.write(
                "insights demo: "
                + " ".join(f"{k}={v}" for k, v in counts.items())
                + f" shapes={shapes}"
            )
