"""The region comparison reads per-municipality weekly rows (kinds ending in "_tw"): the same
figures as the live read contracts and as each municipality's own dashboard."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.faq.models import FaqQueryLog
from madoguchi.insights import selectors
from madoguchi.insights.models import DailyRollup
from madoguchi.insights.rollups import TOWN_WEEKLY, Facts, rollup_build, week_of
from madoguchi.insights.selectors import Filters, Targets
from madoguchi.procedures.models import FormVersion
from madoguchi.reservations.models import Booking, Ticket
from madoguchi.reservations.tests.factories import at
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.tests.factories import MunicipalityFactory

from .factories import small_town, ticket

pytestmark = pytest.mark.django_db

WAITS = (15, 3, 40, 7, 12, 21)  # minutes; 15 is just outside the 15-minute target


def _towns() -> list[dict[str, Any]]:
    """Three municipalities of one prefecture with different figures; the second and third also
    have visits and applications a week after the first day (so a period holds whole weeks and
    days at either end)."""
    first = MunicipalityFactory()
    towns = [small_town(first)]
    for extra in (1, 2):
        town = small_town(MunicipalityFactory(prefecture=first.prefecture))
        day = town["day"] + timedelta(days=7)
        for number in range(extra * 3):
            issued = at(day, 9, number)
            ticket(
                town["municipality"],
                town["service"],
                day,
                10 + number,
                issued=issued,
                called_at=issued + timedelta(minutes=WAITS[number]),
                started_at=issued + timedelta(minutes=WAITS[number] + 1),
                finished_at=issued + timedelta(minutes=WAITS[number] + 9),
            )
        version = FormVersion.objects.get(procedure=town["procedure"])
        for channel in ("online", "counter", "bundle")[: extra + 1]:
            ApplicationFactory(
                municipality=town["municipality"],
                form_version=version,
                channel=channel,
                submitted_at=at(day, 11, 0),
            )
        for n in range(extra + 2):  # bookings: the first `extra` missed
            start = at(day, 10, 15 * n)
            Booking.objects.create(
                municipality=town["municipality"],
                code=f"T{town['municipality'].pk:04d}{n:03d}",
                secret_hash="x",
                service=town["service"],
                start=start,
                end=start + timedelta(minutes=15),
                name="見本",
                contact_hash=f"c{n}",
                submission_token=f"t{town['municipality'].pk}-{n}",
                status=Booking.Status.BOOKED if n < extra else Booking.Status.CHECKED_IN,
            )
        # Two of small_town's FAQ questions asked on the day, two today (read live).
        logs = FaqQueryLog.objects.filter(municipality=town["municipality"]).order_by("pk")
        FaqQueryLog.objects.filter(pk__in=[q.pk for q in logs[:2]]).update(created_at=at(day, 12))
        towns.append(town)
    return towns


def _region(towns: list[dict[str, Any]], period: Filters) -> list[list[object]]:
    scope = Scope(prefecture_id=towns[0]["municipality"].prefecture_id)
    return selectors.region(scope=scope, filters=period).rows


def _periods(day: Any) -> list[Filters]:
    today = timezone.localdate()
    return [
        Filters(first=week_of(day), last=today),  # whole weeks, then the days since
        Filters(first=day, last=today),  # the first week cut: daily rows
        Filters(first=day - timedelta(days=10), last=day + timedelta(days=9)),
        Filters(first=day + timedelta(days=1), last=day + timedelta(days=2)),  # no whole week
    ]


def _roll(towns: list[dict[str, Any]]) -> None:
    for town in towns:
        rollup_build(
            municipality_id=town["municipality"].pk, first=town["day"] - timedelta(days=20)
        )


def test_rolled_region_equals_the_live_region() -> None:
    towns = _towns()
    periods = _periods(towns[0]["day"])
    live = [_region(towns, period) for period in periods]
    _roll(towns)
    for kind in TOWN_WEEKLY:
        assert DailyRollup.objects.filter(kind=f"{kind}_tw").exists(), kind
    for period, expected in zip(periods, live, strict=True):
        assert Facts(Scope.of_municipality(towns[0]["municipality"]), period.first, period.last)
        assert _region(towns, period) == expected, period
    # The figures are not all alike (a test of the sums, not of empty rows).
    assert len({tuple(row[1:]) for row in live[0]}) == 3


def test_each_town_in_the_region_has_its_own_dashboards_figures() -> None:
    towns = _towns()
    _roll(towns)
    for period in _periods(towns[0]["day"])[:3]:
        rows = {row[0]: row for row in _region(towns, period)}
        for town in towns:
            m = town["municipality"]
            board = selectors.dashboard(
                scope=Scope.of_municipality(m), filters=period, targets=Targets()
            )
            kpi = {str(k.label): k.value for k in board.kpis}
            row = rows[f"{m.name}（{m.code}）"]
            faq = board.table("faq")
            assert faq is not None

            def shown(value: object) -> str:
                return f"{value or '—'} %"

            median = "—" if row[5] == "" else row[5]
            p90 = "—" if row[6] == "" else row[6]
            assert [
                f"{row[1]:,}",
                shown(row[2]),
                f"{row[4]:,}",
                f"{median}分 / {p90}分",
                shown(row[7]),
                shown(row[8]),
                shown(row[9]),
                row[10],
                shown(row[11]),
            ] == [
                kpi["申請"],
                kpi["オンライン率"],
                kpi["来庁（番号札）"],
                kpi["待ち時間（中央値 / 90%）"],
                kpi["目標内に呼出"],
                kpi["予約の無断キャンセル率"],
                kpi["補正率"],
                sum(r[1] for r in faq.rows),
                kpi["FAQ 回答率"],
            ], (m.name, period)


def test_a_re_roll_after_new_events_updates_the_town_rows() -> None:
    towns = _towns()
    _roll(towns)
    town = towns[1]
    day = town["day"]
    period = _periods(day)[0]
    before = _region(towns, period)
    # A late ticket and application on a rolled day; the nightly job re-rolls recent days.
    issued = at(day, 15, 0)
    ticket(
        town["municipality"],
        town["service"],
        day,
        99,
        issued=issued,
        called_at=issued + timedelta(minutes=40),
        status=Ticket.Status.NO_SHOW,
    )
    ApplicationFactory(
        municipality=town["municipality"],
        form_version=FormVersion.objects.get(procedure=town["procedure"]),
        channel="online",
        submitted_at=at(day, 16, 0),
    )
    assert _region(towns, period) == before  # rolled: not seen yet
    rollup_build(municipality_id=town["municipality"].pk)
    after = _region(towns, period)
    assert after != before
    week = DailyRollup.objects.get(
        municipality=town["municipality"], kind="visit_tw", day=week_of(day)
    )
    assert week.n == 5  # small_town's 4 tickets and the late one
    # The same as read live.
    DailyRollup.objects.all().delete()
    from madoguchi.insights.models import RollupState

    RollupState.objects.all().delete()
    assert _region(towns, period) == after


def test_the_migration_fills_the_town_rows_of_data_rolled_before_them() -> None:
    towns = _towns()
    _roll(towns)
    town_kinds = [f"{kind}_tw" for kind in TOWN_WEEKLY]
    columns = ("municipality_id", "kind", "day", "b", "c", "n", "n2", "n3", "n4")
    written = sorted(DailyRollup.objects.filter(kind__in=town_kinds).values_list(*columns))
    assert written
    period = _periods(towns[0]["day"])[0]
    expected = _region(towns, period)
    DailyRollup.objects.filter(kind__in=town_kinds).delete()
    assert _region(towns, period) != expected  # the comparison needs them
    migration = importlib.import_module("madoguchi.insights.migrations.0003_town_weekly_rollup")
    migration.fill_town_weeks(apps, None)
    filled = sorted(DailyRollup.objects.filter(kind__in=town_kinds).values_list(*columns))
    assert filled == written
    assert _region(towns, period) == expected
