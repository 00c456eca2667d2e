"""Daily rollups: the read contracts' per-day facts stored once, summed by the dashboards.

A year of a city's visits is hundreds of thousands of tickets; scanning them for every page
view costs seconds. A job (`madoguchi insights_rollup`, nightly) stores each past day's
aggregates in `DailyRollup` and re-rolls the recent days (late 補正 requests, tickets closed the
next morning). The dashboards read rolled days from here and only the days after
`RollupState.rolled_through` (today, or never rolled) from the live read contracts, so the
figures are the same whichever way they were computed (a test checks it).

Column use per kind (a, b, c; n, x, n2…n7):
  visit    a=service b=booked            n=tickets n2=called n3=served n4=timed x=service s
                                         n5=no_show n6=unclosed
                                         n7=called within RollupState.wait_target_minutes
  wait     a=service b=minutes c=booked  n=count       (service: the same for service time)
  vhour    a=service b=hour              n=count
  app      a=procedure c=channel         n=count
  ahour    b=hour c=channel              n=count       (a procedure filter reads live)
  lead     a=procedure b=days c=channel  n=count       (day completed)
  corr     a=procedure c=channel         n=submitted n2=corrected
  faq                                    n=asked n2=answered n3=rated n4=helpful
  booking                                n=bookings n2=checked in
  hall                                   n=open (0/1) n2=booking places planned n3=booked
  quality                                n=tickets n2=served before called
                                         n3=finished before started n4=unclosed

The histograms, lead times and application counts (wait, service, lead, app) are also stored
per week (kinds wait_w, service_w, lead_w, app_w; `day` = the Monday): the sum of that week's
daily rows. A year's dashboard
reads whole weeks from these and only the days at either end of the period from the daily rows
(a day's histogram per service and minute barely compresses, so the daily rows are as many as
the visits of a small town).

The region comparison needs none of the service, procedure or booked splits, so the kinds it
reads are also stored per municipality and week without them (TOWN_WEEKLY: visit_tw, wait_tw,
app_tw, corr_tw, booking_tw, faq_tw; `day` = the Monday): the same columns as the daily kind,
summed over the week and over every column but the kept key (wait: b=minutes; app and corr:
c=channel). A year of 40 municipalities is then a few thousand rows per figure, summed in SQL.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from madoguchi.applications import facts as application_facts
from madoguchi.core.sql_time import DateWeekday, monday_weekday
from madoguchi.faq import facts as faq_facts
from madoguchi.reservations import facts as visit_facts
from madoguchi.tenancy.access import Scope

from .models import DEFAULT_WAIT_TARGET_MINUTES, DailyRollup, InsightsTarget, RollupState

REROLL_DAYS = 35
BATCH = 5000
WEEKLY = ("wait", "service", "lead", "app")  # kinds also stored per week, as kind + "_w"
# Kinds also stored per municipality and week without their splits, as kind + "_tw": the key
# column kept (besides the municipality) for each.
TOWN_WEEKLY: dict[str, tuple[str, ...]] = {
    "visit": (),
    "wait": ("b",),
    "app": ("c",),
    "corr": ("c",),
    "booking": (),
    "faq": (),
}
SUMMED = ("n", "n2", "n3", "n4", "n5", "n6", "n7", "x")


# --- Writing ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def _rows(
    municipality_id: int, first: date, last: date, today: date, target_seconds: int
) -> list[DailyRollup]:
    scope = Scope(municipality_id=municipality_id)
    span: dict[str, Any] = {"scope": scope, "first": first, "last": last}
    out: list[DailyRollup] = []

    def add(day: date, kind: str, **values: Any) -> None:
        out.append(DailyRollup(municipality_id=municipality_id, day=day, kind=kind, **values))

    for v in visit_facts.visit_days(**span, today=today, target_seconds=target_seconds):
        add(v.day, "visit", a=v.service_id, b=int(v.booked), n=v.tickets, n2=v.called,
            n3=v.served, n4=v.timed, x=v.service_seconds, n5=v.no_show, n6=v.unclosed,
            n7=v.within_target)  # fmt: skip
    for measure in ("wait", "service"):
        for h in visit_facts.visit_histogram(**span, measure=measure, per_day=True):
            assert h.day is not None
            add(h.day, measure, a=h.key, b=h.minutes, c=str(int(h.booked)), n=h.count)
    for dh in visit_facts.visit_day_hours(**span):
        add(dh.day, "vhour", a=dh.service_id, b=dh.hour, n=dh.count)
    for c in application_facts.application_counts(**span):
        add(c.day, "app", a=c.procedure_id, c=c.channel, n=c.count)
    # The heat map by channel (not by procedure): finer keys would make the rollup as long as
    # the data; that filter is read live.
    hours: Counter[tuple[date, str, int]] = Counter()
    for ah in application_facts.application_day_hours(**span):
        hours[(ah.day, ah.channel, ah.hour)] += ah.count
    for (day, channel, hour), n in hours.items():
        add(day, "ahour", b=hour, c=channel, n=n)
    for lt in application_facts.lead_time_days(**span):
        add(lt.day, "lead", a=lt.procedure_id, b=lt.days, c=lt.channel, n=lt.count)
    for cd in application_facts.correction_days(**span):
        add(cd.day, "corr", a=cd.procedure_id, c=cd.channel, n=cd.submitted, n2=cd.corrected)
    for f in faq_facts.faq_days(**span):
        add(f.day, "faq", n=f.asked, n2=f.answered, n3=f.rated, n4=f.helpful)
    now = timezone.now()
    for b in visit_facts.booking_days(**span, now=now):
        add(b.day, "booking", n=b.bookings, n2=b.checked_in)
    for hall in visit_facts.hall_days(**span):
        add(hall.day, "hall", n=int(hall.open), n2=hall.planned, n3=hall.booked)
    for q in visit_facts.visit_quality_days(**span, today=today):
        add(
            q.day, "quality", n=q.tickets, n2=q.served_before_called,
            n3=q.finished_before_started, n4=q.unclosed,
        )  # fmt: skip
    return out


def rollup_build(
    *, municipality_id: int, first: date | None = None, today: date | None = None
) -> int:
    """(Re)build the rollup of every day from `first` (default: the recent days since the last
    run, or a year back) up to yesterday; returns the rows written."""
    today = today or timezone.localdate()
    last = today - timedelta(days=1)
    state = RollupState.objects.filter(municipality_id=municipality_id).first()
    target = (
        InsightsTarget.objects.filter(municipality_id=municipality_id)
        .values_list("wait_target_minutes", flat=True)
        .first()
    ) or DEFAULT_WAIT_TARGET_MINUTES
    if state is not None and state.wait_target_minutes != target:
        # The "called within" counts of every rolled day were for the old target.
        first = min(first or state.rolled_from, state.rolled_from)
    if first is None:
        if state is None:
            first = today - timedelta(days=366)
        else:
            first = min(
                state.rolled_through + timedelta(days=1), today - timedelta(days=REROLL_DAYS)
            )
    if first > last:
        return 0
    rows = _rows(municipality_id, first, last, today, target * 60)
    with transaction.atomic():
        DailyRollup.objects.filter(
            municipality_id=municipality_id, day__gte=first, day__lte=last
        ).delete()
        DailyRollup.objects.bulk_create(rows, batch_size=BATCH)
        weekly = _weekly_rows(municipality_id, week_of(first), week_of(last))
        rolled_from = min(first, state.rolled_from) if state else first
        RollupState.objects.update_or_create(
            municipality_id=municipality_id,
            defaults={
                "rolled_from": rolled_from,
                "rolled_through": last,
                "wait_target_minutes": target,
            },
        )
    return len(rows) + weekly


def _weekly_rows(
    municipality_id: int, first_monday: date, last_monday: date, model: Any = DailyRollup
) -> int:
    """Rewrite the weekly rows (per service or procedure, and per municipality) of the weeks
    first_monday…last_monday from their daily rows. `model`: the historical model in a
    migration that fills the weekly rows of data rolled before them."""
    weekly_kinds = [f"{kind}_w" for kind in WEEKLY] + [f"{kind}_tw" for kind in TOWN_WEEKLY]
    week_days = {"municipality_id": municipality_id, "day__gte": first_monday}
    model.objects.filter(**week_days, kind__in=weekly_kinds, day__lte=last_monday).delete()
    daily = model.objects.filter(**week_days, day__lte=last_monday + timedelta(days=6))
    sums: Counter[tuple[str, date, int, int, str]] = Counter()
    for kind, day, a, b, c, n in daily.filter(kind__in=WEEKLY).values_list(
        "kind", "day", "a", "b", "c", "n"
    ):
        sums[(f"{kind}_w", week_of(day), a, b, c)] += n
    rows = [
        model(municipality_id=municipality_id, kind=kind, day=day, a=a, b=b, c=c, n=n)
        for (kind, day, a, b, c), n in sums.items()
    ]
    for kind, keys in TOWN_WEEKLY.items():
        town: dict[tuple[Any, ...], list[float]] = {}
        for day, *values in daily.filter(kind=kind).values_list("day", *keys, *SUMMED):
            totals = town.setdefault((week_of(day), *values[: len(keys)]), [0] * len(SUMMED))
            for i, value in enumerate(values[len(keys) :]):
                totals[i] += value
        for (day, *key), totals in town.items():
            rows.append(
                model(
                    municipality_id=municipality_id,
                    kind=f"{kind}_tw",
                    day=day,
                    **dict(zip(keys, key, strict=True)),
                    **dict(zip(SUMMED, totals, strict=True)),
                )
            )
    model.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def fill_weekly(model: Any, state_model: Any) -> None:
    """Write the weekly rows of every rolled week from the daily rows (a data migration: weekly
    kinds added after the data was rolled)."""
    for state in state_model.objects.all():
        _weekly_rows(
            state.municipality_id, week_of(state.rolled_from), week_of(state.rolled_through), model
        )


def municipality_ids(*, code: str | None = None) -> list[int]:
    """The municipalities to roll up (active ones, or the one with `code`)."""
    from django.apps import apps

    municipality = apps.get_model("tenancy", "Municipality")
    qs = municipality.objects.filter(code=code) if code else municipality.objects.all()
    return list(qs.order_by("pk").values_list("pk", flat=True))


# --- Reading: the same dataclasses as the read contracts ---------------------------------------


def within_minutes(target_seconds: int) -> int:
    """Called within the target = waited fewer whole minutes than this (the wait histograms'
    minutes are whole minutes rounded down, so the same visits as wait < target)."""
    return target_seconds // 60


def whole_weeks(first: date, last: date) -> tuple[date, date] | None:
    """The first Monday and the last Sunday of the whole weeks inside first…last (None: no
    whole week)."""
    monday = week_of(first) + timedelta(weeks=int(first.weekday() > 0))
    end = week_of(last + timedelta(days=1)) - timedelta(days=1)  # the last whole Sunday
    return (monday, end) if monday < end else None


@dataclass(frozen=True)
class Split:
    """Which part of [first, last] comes from the rollup and which from the live facts, and
    the wait target (minutes) the rolled "called within" counts are for (None: differing)."""

    rolled: tuple[date, date] | None
    live: tuple[date, date] | None
    wait_target_minutes: int | None = None


def split(scope: Scope, first: date, last: date) -> Split:
    states = list(scope.filter(RollupState.objects.all()))
    municipalities = scope.municipalities().count()
    if not states or len(states) < municipalities:
        return Split(None, (first, last))
    rolled_from = max(s.rolled_from for s in states)
    rolled_through = min(s.rolled_through for s in states)
    if first < rolled_from or rolled_through < first:
        return Split(None, (first, last))
    end = min(last, rolled_through)
    live = (end + timedelta(days=1), last) if end < last else None
    targets = {s.wait_target_minutes for s in states}
    return Split((first, end), live, targets.pop() if len(targets) == 1 else None)


class Facts:
    """The read contracts for a scope and period, rolled days from DailyRollup."""

    def __init__(self, scope: Scope, first: date, last: date) -> None:
        self.scope = scope
        self.parts = split(scope, first, last)

    @functools.cached_property
    def municipality_ids(self) -> list[int]:
        return list(self.scope.municipalities().values_list("pk", flat=True))

    def _live(self) -> dict[str, Any] | None:
        if self.parts.live is None:
            return None
        return {"scope": self.scope, "first": self.parts.live[0], "last": self.parts.live[1]}

    def _whole(self) -> dict[str, Any]:
        first = (self.parts.rolled or self.parts.live or (date.min, date.min))[0]
        last = (self.parts.live or self.parts.rolled or (date.min, date.min))[1]
        return {"scope": self.scope, "first": first, "last": last}

    def live_facts(self) -> Facts | None:
        """The same read contracts for the days not rolled (today, or every day), or None."""
        if self.parts.live is None:
            return None
        return Facts(self.scope, *self.parts.live)

    def _rolled(self, kind: str, *, daily: bool = False) -> QuerySet[DailyRollup] | None:
        if self.parts.rolled is None:
            return None
        first, last = self.parts.rolled
        if kind in WEEKLY and not daily:
            # Whole weeks from the weekly rows, the days before and after them from the daily.
            weeks = whole_weeks(first, last)
            if weeks is not None:
                monday, end = weeks
                where = (
                    Q(kind=f"{kind}_w", day__gte=monday, day__lte=end)
                    | Q(kind=kind, day__gte=first, day__lt=monday)
                    | Q(kind=kind, day__gt=end, day__lte=last)
                )
                # The kinds and days also outside the OR, so the index (municipality, kind,
                # day) narrows the rows (PostgreSQL scanned the whole table for the OR alone).
                return (
                    self.scope.filter(DailyRollup.objects.all())
                    .filter(kind__in=[kind, f"{kind}_w"], day__gte=first, day__lte=last)
                    .filter(where)
                )
        return self.scope.filter(DailyRollup.objects.all()).filter(
            kind=kind, day__gte=first, day__lte=last
        )

    def town_sums(self, kind: str, *columns: str) -> list[tuple[Any, ...]]:
        """The rolled days' rows of `kind` summed per municipality (and the kind's key in
        TOWN_WEEKLY) by the database: whole weeks from the per-municipality weekly rows, the
        days at either end from the daily rows. Rows (municipality_id, *key, *sums); none when
        nothing is rolled (live_facts() has the rest)."""
        if self.parts.rolled is None:
            return []
        first, last = self.parts.rolled
        # The municipalities by id too (not only through the prefecture's join), and each part
        # one range of the index (municipality, kind, day): an OR of the parts made PostgreSQL
        # scan the table and SQLite read the index badly.
        rows = self.scope.filter(DailyRollup.objects.all()).filter(
            municipality_id__in=self.municipality_ids
        )
        weeks = whole_weeks(first, last)
        if weeks is None:
            parts = [rows.filter(kind=kind, day__gte=first, day__lte=last)]
        else:
            monday, end = weeks
            parts = [
                rows.filter(kind=f"{kind}_tw", day__gte=monday, day__lte=end),
                rows.filter(kind=kind, day__gte=first, day__lt=monday),
                rows.filter(kind=kind, day__gt=end, day__lte=last),
            ]
        keys = ("municipality_id", *TOWN_WEEKLY[kind])
        sums = {f"sum_{column}": Sum(column) for column in columns}
        totals: dict[tuple[Any, ...], list[Any]] = {}
        for part in parts:
            for row in part.values(*keys).order_by().annotate(**sums).values_list(*keys, *sums):
                total = totals.setdefault(row[: len(keys)], [0] * len(columns))
                for i, value in enumerate(row[len(keys) :]):
                    total[i] += value
        return [(*key, *total) for key, total in totals.items()]

    # Visits

    def visit_days(
        self, *, today: date, target_seconds: int, service_ids: list[int] | None = None
    ) -> list[visit_facts.VisitDay]:
        result: list[visit_facts.VisitDay] = []
        rolled = self._rolled("visit")
        if rolled is not None:
            if service_ids:
                rolled = rolled.filter(a__in=service_ids)
            within: dict[tuple[int, date, int, int], int] | None = None
            if self.parts.wait_target_minutes is None or (
                self.parts.wait_target_minutes * 60 != target_seconds
            ):
                # Another target than the rolled one: from the daily wait histogram, whole
                # minutes below the target.
                within = defaultdict(int)
                waits = self._rolled("wait", daily=True)
                assert waits is not None
                if service_ids:
                    waits = waits.filter(a__in=service_ids)
                for m, day, a, c, n in (
                    waits.filter(b__lt=within_minutes(target_seconds))
                    .values("municipality_id", "day", "a", "c")
                    .order_by()
                    .annotate(n=Sum("n"))
                    .values_list("municipality_id", "day", "a", "c", "n")
                ):
                    within[(m, day, a, int(c))] += n
            for r in rolled.values_list(
                "municipality_id", "day", "a", "b", "n", "n2", "n3", "n4", "x", "n5", "n6", "n7"
            ):
                m, day, a, b, n, n2, n3, n4, x, n5, n6, n7 = r
                if within is not None:
                    n7 = within[(m, day, a, b)]
                result.append(
                    visit_facts.VisitDay(m, day, a, bool(b), n, n2, n7, n3, n4, x, n5, n6)
                )
        live = self._live()
        if live:
            result += visit_facts.visit_days(
                **live, today=today, target_seconds=target_seconds, service_ids=service_ids
            )
        return result

    def visit_histogram(
        self, *, measure: str, by: str = "service", service_ids: list[int] | None = None
    ) -> list[visit_facts.HistogramRow]:
        result: list[visit_facts.HistogramRow] = []
        rolled = self._rolled(measure)
        if rolled is not None:
            if service_ids:
                rolled = rolled.filter(a__in=service_ids)
            key = "a" if by == "service" else "municipality_id"
            for k, booked, minutes, n in (
                rolled.values(key, "c", "b")
                .order_by()
                .annotate(total=Sum("n"))
                .values_list(key, "c", "b", "total")
            ):
                result.append(visit_facts.HistogramRow(k, booked == "1", minutes, n))
        live = self._live()
        if live:
            result += visit_facts.visit_histogram(
                **live, measure=measure, by=by, service_ids=service_ids
            )
        return result

    def visit_weekday_hour(
        self, *, service_ids: list[int] | None = None
    ) -> list[visit_facts.WeekdayHour]:
        result: list[visit_facts.WeekdayHour] = []
        rolled = self._rolled("vhour")
        if rolled is not None:
            if service_ids:
                rolled = rolled.filter(a__in=service_ids)
            for wd, hour, n in (
                rolled.annotate(wd=DateWeekday("day"))
                .values("wd", "b")
                .order_by()
                .annotate(total=Sum("n"))
                .values_list("wd", "b", "total")
            ):
                result.append(visit_facts.WeekdayHour(monday_weekday(wd), hour, n))
        live = self._live()
        if live:
            result += visit_facts.visit_weekday_hour(**live, service_ids=service_ids)
        return result

    def visit_quality(
        self, *, today: date, service_ids: list[int] | None = None
    ) -> visit_facts.VisitQuality:
        totals = [0, 0, 0, 0]
        rolled = self._rolled("quality")
        if rolled is not None and not service_ids:
            sums = rolled.aggregate(n=Sum("n"), n2=Sum("n2"), n3=Sum("n3"), n4=Sum("n4"))
            totals = [int(sums[k] or 0) for k in ("n", "n2", "n3", "n4")]
        elif rolled is not None:
            # Quality by service is not rolled up: read the rolled days live.
            first, last = self.parts.rolled  # type: ignore[misc]
            q = visit_facts.visit_quality(
                scope=self.scope, first=first, last=last, today=today, service_ids=service_ids
            )
            totals = [q.tickets, q.served_before_called, q.finished_before_started, q.unclosed]
        live = self._live()
        if live:
            q = visit_facts.visit_quality(**live, today=today, service_ids=service_ids)
            totals = [
                totals[0] + q.tickets,
                totals[1] + q.served_before_called,
                totals[2] + q.finished_before_started,
                totals[3] + q.unclosed,
            ]
        return visit_facts.VisitQuality(*totals)

    def booking_days(self, *, now: datetime) -> list[visit_facts.BookingDay]:
        result: list[visit_facts.BookingDay] = []
        rolled = self._rolled("booking")
        if rolled is not None:
            for m, day, n, n2 in rolled.values_list("municipality_id", "day", "n", "n2"):
                result.append(visit_facts.BookingDay(m, day, n, n2, n - n2))
        live = self._live()
        if live:
            result += visit_facts.booking_days(**live, now=now)
        return result

    def hall_days(self) -> list[visit_facts.HallDay]:
        result: list[visit_facts.HallDay] = []
        rolled = self._rolled("hall")
        if rolled is not None:
            for m, day, n, n2, n3 in rolled.values_list("municipality_id", "day", "n", "n2", "n3"):
                result.append(visit_facts.HallDay(m, day, bool(n), n2, n3))
        live = self._live()
        if live:
            result += visit_facts.hall_days(**live)
        return result

    # Applications

    def _app_filter(
        self, qs: QuerySet[DailyRollup], procedure_ids: list[int] | None, channels: list[str] | None
    ) -> QuerySet[DailyRollup]:
        if procedure_ids:
            qs = qs.filter(a__in=procedure_ids)
        if channels:
            qs = qs.filter(c__in=channels)
        return qs

    def application_counts(
        self,
        *,
        procedure_ids: list[int] | None = None,
        channels: list[str] | None = None,
        by_week: bool = False,
    ) -> list[application_facts.ApplicationCount]:
        """Per day, procedure and channel; with `by_week`, the rows of a whole week inside the
        period may come as one row dated on its Monday (for figures counted by week or more)."""
        result: list[application_facts.ApplicationCount] = []
        rolled = self._rolled("app", daily=not by_week)
        if rolled is not None:
            for m, day, a, c, n in self._app_filter(rolled, procedure_ids, channels).values_list(
                "municipality_id", "day", "a", "c", "n"
            ):
                result.append(application_facts.ApplicationCount(m, day, a, c, n))
        live = self._live()
        if live:
            result += application_facts.application_counts(
                **live, procedure_ids=procedure_ids, channels=channels
            )
        return result

    def application_days(self) -> set[date]:
        """The days on which any application was submitted."""
        days: set[date] = set()
        rolled = self._rolled("app", daily=True)
        if rolled is not None:
            days.update(rolled.filter(n__gt=0).values_list("day", flat=True).distinct())
        live = self._live()
        if live:
            days.update(c.day for c in application_facts.application_counts(**live))
        return days

    def application_weekday_hour(
        self, *, procedure_ids: list[int] | None = None, channels: list[str] | None = None
    ) -> list[application_facts.WeekdayHour]:
        result: list[application_facts.WeekdayHour] = []
        rolled = self._rolled("ahour")
        if rolled is not None and procedure_ids:
            return application_facts.application_weekday_hour(
                **self._whole(), procedure_ids=procedure_ids, channels=channels
            )
        if rolled is not None:
            for wd, hour, n in (
                self._app_filter(rolled, procedure_ids, channels)
                .annotate(wd=DateWeekday("day"))
                .values("wd", "b")
                .order_by()
                .annotate(total=Sum("n"))
                .values_list("wd", "b", "total")
            ):
                result.append(application_facts.WeekdayHour(monday_weekday(wd), hour, n))
        live = self._live()
        if live:
            result += application_facts.application_weekday_hour(
                **live, procedure_ids=procedure_ids, channels=channels
            )
        return result

    def lead_times(
        self, *, procedure_ids: list[int] | None = None, channels: list[str] | None = None
    ) -> list[application_facts.LeadTimeRow]:
        result: list[application_facts.LeadTimeRow] = []
        rolled = self._rolled("lead")
        if rolled is not None:
            for m, a, b, n in (
                self._app_filter(rolled, procedure_ids, channels)
                .values("municipality_id", "a", "b")
                .order_by()
                .annotate(total=Sum("n"))
                .values_list("municipality_id", "a", "b", "total")
            ):
                result.append(application_facts.LeadTimeRow(m, a, b, n))
        live = self._live()
        if live:
            result += application_facts.lead_times(
                **live, procedure_ids=procedure_ids, channels=channels
            )
        return result

    def correction_counts(
        self, *, procedure_ids: list[int] | None = None, channels: list[str] | None = None
    ) -> list[application_facts.CorrectionCount]:
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        rolled = self._rolled("corr")
        if rolled is not None:
            for m, n, n2 in (
                self._app_filter(rolled, procedure_ids, channels)
                .values("municipality_id")
                .order_by()
                .annotate(s=Sum("n"), c=Sum("n2"))
                .values_list("municipality_id", "s", "c")
            ):
                totals[m][0] += int(n)
                totals[m][1] += int(n2)
        live = self._live()
        if live:
            for c in application_facts.correction_counts(
                **live, procedure_ids=procedure_ids, channels=channels
            ):
                totals[c.municipality_id][0] += c.submitted
                totals[c.municipality_id][1] += c.corrected
        return [application_facts.CorrectionCount(m, s, c) for m, (s, c) in totals.items()]

    # FAQ

    def faq_days(self) -> list[faq_facts.FaqDay]:
        result: list[faq_facts.FaqDay] = []
        rolled = self._rolled("faq")
        if rolled is not None:
            for m, day, n, n2, n3, n4 in rolled.values_list(
                "municipality_id", "day", "n", "n2", "n3", "n4"
            ):
                result.append(faq_facts.FaqDay(m, day, n, n2, n3, n4))
        live = self._live()
        if live:
            result += faq_facts.faq_days(**live)
        return result
