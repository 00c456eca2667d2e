"""The daily rollup gives the same figures as the live read contracts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from madoguchi.insights import selectors
from madoguchi.insights.models import DailyRollup, RollupState
from madoguchi.insights.rollups import Facts, rollup_build
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
