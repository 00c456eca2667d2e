"""The daily rollup gives the same figures as the live read contracts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from madoguchi.insights import selectors
from madoguchi.insights.models import DailyRollup, InsightsTarget, RollupState
from madoguchi.insights.rollups import Facts, rollup_build, week_of
from madoguchi.insights.selectors import Filters, Targets
from madoguchi.tenancy.access import Scope

from .factories import small_town

pytestmark = pytest.mark.django_db


def _tables(board: selectors.Dashboard) -> dict[str, list[list[object]]]:
    return {t.slug: t.rows for t in board.tables}


@pytest.mark.parametrize(
    "filters",
    [{}, {"channels": ("online",)}, {"service": True}, {"procedure": True}],
    ids=["all", "online", "one-service", "one-procedure"],
)
def test_rolled_up_figures_equal_live_figures(filters: dict) -> None:
    town = small_town()
    scope = Scope.of_municipality(town["municipality"])
    extra = dict(filters)
    if extra.pop("service", False):
        extra["service_ids"] = (town["service"].pk,)
    if extra.pop("procedure", False):
        extra["procedure_ids"] = (town["procedure"].pk,)
    period = Filters(first=town["day"] - timedelta(days=3), last=timezone.localdate(), **extra)
    live = selectors.dashboard(scope=scope, filters=period, targets=Targets())
    assert Facts(scope, period.first, period.last).parts.rolled is None

    written = rollup_build(municipality_id=town["municipality"].pk, first=period.first)
    assert written > 0
    facts = Facts(scope, period.first, period.last)
    assert facts.parts.rolled == (period.first, timezone.localdate() - timedelta(days=1))
    rolled = selectors.dashboard(scope=scope, filters=period, targets=Targets())
    assert _tables(rolled) == _tables(live)
    assert [k.value for k in rolled.kpis] == [k.value for k in live.kpis]
    assert [(q.count, q.total) for q in rolled.quality] == [
        (q.count, q.total) for q in live.quality
    ]


@pytest.mark.parametrize("start", ["monday", "day", "week-before"])
def test_weekly_rows_and_the_days_at_either_end_give_the_live_figures(start: str) -> None:
    """The period starts on the data's Monday (its week read whole from the weekly rows), on
    the data's day (its week cut: daily rows) or a week earlier; the figures never change."""
    town = small_town()
    scope = Scope.of_municipality(town["municipality"])
    day = town["day"]
    first = {
        "monday": week_of(day),
        "day": day,
        "week-before": day - timedelta(days=7),
    }[start]
    rollup_build(municipality_id=town["municipality"].pk, first=day - timedelta(days=30))
    for kind in ("wait_w", "service_w", "lead_w", "app_w"):
        assert DailyRollup.objects.filter(kind=kind).exists(), kind
    for last in (day + timedelta(days=1), day + timedelta(days=6 - day.weekday()), None):
        period = Filters(first=first, last=last or timezone.localdate())
        rolled = selectors.dashboard(scope=scope, filters=period, targets=Targets())
        live = Facts(scope, period.first, period.last)
        assert live.parts.rolled is not None
        RollupState.objects.update(rolled_from=timezone.localdate())  # read live
        assert Facts(scope, period.first, period.last).parts.rolled is None
        expected = selectors.dashboard(scope=scope, filters=period, targets=Targets())
        RollupState.objects.update(rolled_from=day - timedelta(days=30))
        assert _tables(rolled) == _tables(expected), (start, last)
        assert [k.value for k in rolled.kpis] == [k.value for k in expected.kpis]
        assert rolled.empty_days == expected.empty_days


def test_another_wait_target_than_the_rolled_one_counts_from_the_histogram() -> None:
    town = small_town()
    scope = Scope.of_municipality(town["municipality"])
    period = Filters(first=town["day"], last=timezone.localdate())
    # Waits 10, 30, 5 and 20 minutes.
    live = {
        m: selectors.dashboard(scope=scope, filters=period, targets=Targets(wait_minutes=m))
        for m in (15, 25)
    }
    rollup_build(municipality_id=town["municipality"].pk, first=town["day"])
    assert RollupState.objects.get().wait_target_minutes == 15
    for minutes, board in live.items():
        rolled = selectors.dashboard(
            scope=scope, filters=period, targets=Targets(wait_minutes=minutes)
        )
        assert _tables(rolled) == _tables(board)
    assert {k.label: k.value for k in live[25].kpis}["目標内に呼出"] == "75.0 %"
    # A new target re-rolls every day for it.
    InsightsTarget.objects.create(municipality=town["municipality"], wait_target_minutes=25)
    rollup_build(municipality_id=town["municipality"].pk)
    state = RollupState.objects.get()
    assert (state.wait_target_minutes, state.rolled_from) == (25, town["day"])
    visit = DailyRollup.objects.get(kind="visit", day=town["day"])
    assert visit.n7 == 3


def test_region_and_rollup_command() -> None:
    town = small_town()
    call_command("insights_rollup", "--days", "40", verbosity=0)
    state = RollupState.objects.get(municipality=town["municipality"])
    assert state.rolled_through == timezone.localdate() - timedelta(days=1)
    assert DailyRollup.objects.filter(municipality=town["municipality"], kind="wait").exists()
    # Running again re-rolls the recent days without duplicating them.
    before = DailyRollup.objects.count()
    call_command("insights_rollup", verbosity=0)
    assert DailyRollup.objects.count() == before
    scope = Scope(prefecture_id=town["municipality"].prefecture_id)
    period = Filters(first=town["day"], last=timezone.localdate())
    row = selectors.region(scope=scope, filters=period).rows[0]
    assert row[1] == 4 and row[2] == "75.0" and row[5] == 10 and row[6] == 30
