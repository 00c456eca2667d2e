"""The dashboard's figures on small hand-made data, worked out by hand."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from madoguchi.insights import selectors
from madoguchi.insights.selectors import Filters, Targets, percentile
from madoguchi.tenancy.access import Scope

from .factories import small_town

pytestmark = pytest.mark.django_db


def test_percentile_is_nearest_rank() -> None:
    assert percentile(Counter({5: 1, 10: 1, 30: 1}), 0.5) == 10
    assert percentile(Counter({5: 1, 10: 1, 30: 1}), 0.9) == 30
    assert percentile(Counter({1: 1, 2: 1, 3: 1, 4: 1}), 0.5) == 2
    assert percentile(Counter(), 0.5) is None


def _board() -> tuple[dict, selectors.Dashboard]:
    town = small_town()
    filters = Filters(first=town["day"], last=timezone.localdate())
    board = selectors.dashboard(
        scope=Scope.of_municipality(town["municipality"]), filters=filters, targets=Targets()
    )
    return town, board


def test_waits_service_times_and_quality() -> None:
    town, board = _board()
    waits = board.table("waits")
    assert waits is not None
    (row,) = waits.rows
    # Called waits: 10, 30, 5, 20 minutes → p90 30, median 10; within 15 min: 2 of 4.
    assert row[1:] == [30, 10, "50.0", 5, "7.5", 4]
    flags = {f.label: (f.count, f.total) for f in board.quality}
    assert flags["呼出より前に対応開始（時刻が不正）"] == (1, 4)
    assert flags["終了していない番号札（前日以前）"] == (1, 4)
    assert flags["対応時間の元になった番号札（開始・終了の記録あり）"] == (2, 2)
    heat = board.table("heatmap-visits")
    assert heat is not None
    weekday_row = next(r for r in heat.rows if r[0] == selectors.WEEKDAYS[town["day"].weekday()])
    hours = [int(c.removesuffix("時")) for c in heat.columns[1:]]
    assert weekday_row[1 + hours.index(9)] == 2
    assert weekday_row[1 + hours.index(10)] == 1


def test_applications_online_share_corrections_lead_time_and_faq() -> None:
    town, board = _board()
    kpis = {k.label: k.value for k in board.kpis}
    assert kpis["申請"] == "4"
    assert kpis["オンライン率"] == "75.0 %"
    assert kpis["補正率"] == "25.0 %"
    assert kpis["FAQ 回答率"] == "75.0 %"
    lead = board.table("lead-time")
    assert lead is not None
    assert lead.rows == [[town["procedure"].name, 5, 5, 10, "100.0", 1]]
    backlog = board.table("backlog")
    assert backlog is not None
    assert [r[1] for r in backlog.rows] == [3, 0, 0]
    faq = board.table("faq")
    assert faq is not None
    this_week = faq.rows[-1]
    assert this_week[1:] == [4, "75.0", "25.0", "50.0"]
    # Three online applications × the measured mean service time (7.5 min) = 0.375 h.
    hours = board.table("hours-saved")
    assert hours is not None
    assert sum(float(r[3]) for r in hours.rows if r[1]) == pytest.approx(0.4, abs=0.05)


def test_filters_narrow_the_figures() -> None:
    town = small_town()
    filters = Filters(first=town["day"], last=town["day"], channels=("counter",))
    board = selectors.dashboard(
        scope=Scope.of_municipality(town["municipality"]), filters=filters, targets=Targets()
    )
    kpis = {k.label: k.value for k in board.kpis}
    assert kpis["申請"] == "1"
    assert kpis["オンライン率"] == "0.0 %"
