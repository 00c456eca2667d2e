"""Read contract for the insights: aggregate facts about visits, bookings and the hall calendar.

Every function takes a `Scope` (one municipality or a prefecture's) and a period of local days,
aggregates in the database (GROUP BY, never a row per visit into Python) and returns small
dataclasses keyed by ids, with no personal data. The insights app reads the hall only through
this module.

wait = call time − ticket time (the measured wait, as everywhere in the hall);
service time = end − start of service.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan

from madoguchi.core.sql_time import (
    DateWeekday,
    LocalDate,
    LocalHour,
    LocalMinute,
    SecondsBetween,
    WholeMinutes,
    local_day_bounds,
    monday_weekday,
)
from madoguchi.tenancy.access import Scope

from .calendar_days import HallCalendar
from .models import Booking, ReservationPolicy, Service, Ticket, Window

OPEN = (Ticket.Status.WAITING, Ticket.Status.CALLED, Ticket.Status.SERVING)


@dataclass(frozen=True)
class ServiceLabel:
    id: int
    municipality_id: int
    series: str
    name: str


@dataclass(frozen=True)
class VisitDay:
    """One day × service × (booked or walk-in) of one municipality."""

    municipality_id: int
    day: date
    service_id: int
    booked: bool
    tickets: int
    called: int  # tickets with a call time (the base of the wait figures)
    within_target: int  # called within the wait target
    served: int  # finished
    timed: int  # finished with start and end (the base of the service times)
    service_seconds: float
    no_show: int
    unclosed: int  # still waiting, called or in service after their day ended


@dataclass(frozen=True)
class HistogramRow:
    key: int  # service id, or municipality id for by="municipality"
    booked: bool
    minutes: int  # whole minutes, rounded down
    count: int
    day: date | None = None  # with per_day=True
    municipality_id: int | None = None  # with per_day=True


@dataclass(frozen=True)
class DayHour:
    municipality_id: int
    day: date
    service_id: int
    hour: int
    count: int


@dataclass(frozen=True)
class QualityDay:
    municipality_id: int
    day: date
    tickets: int
    served_before_called: int
    finished_before_started: int
    unclosed: int


@dataclass(frozen=True)
class WeekdayHour:
    weekday: int  # 0 = Monday
    hour: int
    count: int


@dataclass(frozen=True)
class VisitQuality:
    tickets: int
    served_before_called: int
    finished_before_started: int
    unclosed: int


@dataclass(frozen=True)
class CapacityDay:
    municipality_id: int
    day: date
    planned: int  # bookable places: slots × windows taking bookings, less the walk-in share
    booked: int  # bookings not cancelled


@dataclass(frozen=True)
class BookingDay:
    municipality_id: int
    day: date
    bookings: int  # not cancelled, start already passed
    checked_in: int
    no_show: int  # never checked in


def _tickets(
    scope: Scope, first: date, last: date, service_ids: list[int] | None
) -> QuerySet[Ticket]:
    qs = Ticket.objects.for_scope(scope).filter(day__gte=first, day__lte=last)
    if service_ids:
        qs = qs.filter(service_id__in=service_ids)
    return qs


_BOOKED = ExpressionWrapper(Q(booking__isnull=False), output_field=BooleanField())

# The one definition of a measured service time, for the dashboards and the wait board alike:
# a finished ticket with a start and an end not before it; service time = end − start.
MEASURED_SERVICE = Q(
    status=Ticket.Status.FINISHED, started_at__isnull=False, finished_at__gte=F("started_at")
)
SERVICE_SECONDS = SecondsBetween("finished_at", "started_at")


@dataclass(frozen=True)
class ServiceTime:
    service_id: int
    timed: int  # measured service times
    seconds: float  # their sum

    @property
    def mean_minutes(self) -> float | None:
        return self.seconds / self.timed / 60 if self.timed else None


def service_times(*, scope: Scope, finished_since: datetime) -> dict[int, ServiceTime]:
    """Measured service times per service of the tickets finished since a moment (the wait
    board's recent hours): the same rule as the dashboards' service times."""
    rows = (
        Ticket.objects.for_scope(scope)
        .filter(MEASURED_SERVICE, finished_at__gte=finished_since)
        .values("service_id")
        .order_by()
        .annotate(timed=Count("id"), seconds=Coalesce(Sum(SERVICE_SECONDS), 0.0))
    )
    return {
        r["service_id"]: ServiceTime(r["service_id"], r["timed"], float(r["seconds"] or 0))
        for r in rows
    }


def service_labels(*, scope: Scope) -> list[ServiceLabel]:
    return [
        ServiceLabel(id=pk, municipality_id=m, series=series, name=name)
        for pk, m, series, name in Service.objects.for_scope(scope)
        .order_by("municipality_id", "sort_order", "series")
        .values_list("id", "municipality_id", "series", "name")
    ]


def visit_days(
    *,
    scope: Scope,
    first: date,
    last: date,
    today: date,
    target_seconds: int,
    service_ids: list[int] | None = None,
) -> list[VisitDay]:
    """Counts per day, service and booked/walk-in: one GROUP BY query."""
    wait = SecondsBetween("called_at", "issued_at")
    finished = Q(status=Ticket.Status.FINISHED)
    rows = (
        _tickets(scope, first, last, service_ids)
        .annotate(booked=_BOOKED)
        .values("municipality_id", "day", "service_id", "booked")
        .order_by()
        .annotate(
            tickets=Count("id"),
            called=Count("id", filter=Q(called_at__isnull=False)),
            # Called within the target: wait < target (whole minutes below it, as the rollup).
            within=Count(
                "id", filter=Q(called_at__gte=F("issued_at")) & LessThan(wait, target_seconds)
            ),
            served=Count("id", filter=finished),
            timed=Count("id", filter=MEASURED_SERVICE),
            service_seconds=Coalesce(Sum(SERVICE_SECONDS, filter=MEASURED_SERVICE), 0.0),
            no_show=Count("id", filter=Q(status=Ticket.Status.NO_SHOW)),
            unclosed=Count("id", filter=Q(status__in=OPEN, day__lt=today)),
        )
    )
    return [
        VisitDay(
            municipality_id=r["municipality_id"],
            day=r["day"],
            service_id=r["service_id"],
            booked=bool(r["booked"]),
            tickets=r["tickets"],
            called=r["called"],
            within_target=r["within"],
            served=r["served"],
            timed=r["timed"],
            service_seconds=float(r["service_seconds"] or 0),
            no_show=r["no_show"],
            unclosed=r["unclosed"],
        )
        for r in rows
    ]


def visit_histogram(
    *,
    scope: Scope,
    first: date,
    last: date,
    measure: str,
    by: str = "service",
    service_ids: list[int] | None = None,
    per_day: bool = False,
) -> list[HistogramRow]:
    """How many visits waited (measure="wait") or were served (measure="service") m minutes."""
    if measure == "wait":
        seconds = SecondsBetween("called_at", "issued_at")
        base = Q(called_at__isnull=False, called_at__gte=F("issued_at"))
    elif measure == "service":
        seconds = SERVICE_SECONDS
        base = MEASURED_SERVICE
    else:
        raise ValueError(measure)
    key = "service_id" if by == "service" else "municipality_id"
    group = [key, "booked", "minutes", *(["day", "municipality_id"] if per_day else [])]
    rows = (
        _tickets(scope, first, last, service_ids)
        .filter(base)
        .annotate(booked=_BOOKED, minutes=WholeMinutes(seconds))
        .values(*dict.fromkeys(group))
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        HistogramRow(
            key=r[key],
            booked=bool(r["booked"]),
            minutes=r["minutes"],
            count=r["n"],
            day=r.get("day"),
            municipality_id=r.get("municipality_id"),
        )
        for r in rows
    ]


def visit_day_hours(*, scope: Scope, first: date, last: date) -> list[DayHour]:
    """Tickets per day, service and hour of issue (local time): the daily rollup's heat map."""
    rows = (
        _tickets(scope, first, last, None)
        .annotate(hour=LocalHour("issued_at"))
        .values("municipality_id", "day", "service_id", "hour")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        DayHour(r["municipality_id"], r["day"], r["service_id"], r["hour"], r["n"]) for r in rows
    ]


def visit_weekday_hour(
    *, scope: Scope, first: date, last: date, service_ids: list[int] | None = None
) -> list[WeekdayHour]:
    """Tickets by weekday and hour of issue (local time): the heat map."""
    rows = (
        _tickets(scope, first, last, service_ids)
        .annotate(wd=DateWeekday("day"), hour=LocalHour("issued_at"))
        .values("wd", "hour")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [WeekdayHour(monday_weekday(r["wd"]), r["hour"], r["n"]) for r in rows]


def _quality_counts(today: date) -> dict[str, Count]:
    return {
        "tickets": Count("id"),
        "before_called": Count(
            "id",
            filter=Q(started_at__isnull=False, called_at__isnull=False)
            & Q(started_at__lt=F("called_at")),
        ),
        "before_started": Count(
            "id",
            filter=Q(started_at__isnull=False, finished_at__isnull=False)
            & Q(finished_at__lt=F("started_at")),
        ),
        "unclosed": Count("id", filter=Q(status__in=OPEN, day__lt=today)),
    }


def visit_quality_days(*, scope: Scope, first: date, last: date, today: date) -> list[QualityDay]:
    """The data-quality counts per day (the daily rollup)."""
    rows = (
        _tickets(scope, first, last, None)
        .values("municipality_id", "day")
        .order_by()
        .annotate(**_quality_counts(today))
    )
    return [
        QualityDay(
            r["municipality_id"],
            r["day"],
            r["tickets"],
            r["before_called"],
            r["before_started"],
            r["unclosed"],
        )
        for r in rows
    ]


def visit_quality(
    *, scope: Scope, first: date, last: date, today: date, service_ids: list[int] | None = None
) -> VisitQuality:
    """Tickets whose recorded times cannot be right, or that were never closed."""
    figures = _tickets(scope, first, last, service_ids).aggregate(**_quality_counts(today))
    return VisitQuality(
        tickets=figures["tickets"],
        served_before_called=figures["before_called"],
        finished_before_started=figures["before_started"],
        unclosed=figures["unclosed"],
    )


@dataclass(frozen=True)
class HallDay:
    municipality_id: int
    day: date
    open: bool
    planned: int  # bookable places: slots × windows taking bookings, less the walk-in share
    booked: int  # bookings not cancelled


def hall_days(*, scope: Scope, first: date, last: date) -> list[HallDay]:
    """Per municipality and day: open or not, booking places planned, bookings made.

    One calendar lookup per day (national holidays are the slow part): the slots are counted
    from the opening periods, each slot ending by closing time as in the booking calendar.
    """
    start, end = local_day_bounds(first, last)
    booked: dict[tuple[int, date], int] = defaultdict(int)
    for r in (
        Booking.objects.for_scope(scope)
        .exclude(status=Booking.Status.CANCELLED)
        .filter(start__gte=start, start__lt=end)
        .annotate(d=LocalDate("start"))
        .values("municipality_id", "d")
        .order_by()
        .annotate(n=Count("id"))
    ):
        booked[(r["municipality_id"], r["d"])] = r["n"]
    windows = dict(
        Window.objects.for_scope(scope)
        .filter(is_active=True, accepts_bookings=True)
        .values("municipality_id")
        .order_by()
        .annotate(n=Count("id"))
        .values_list("municipality_id", "n")
    )
    result = []
    for municipality in scope.municipalities():
        policy = ReservationPolicy.of(municipality)
        per_slot = policy.bookable(windows.get(municipality.pk, 0))
        calendar = HallCalendar(municipality=municipality, policy=policy, first=first, last=last)
        day = first
        while day <= last:
            hours = calendar.hours(day)
            slots = sum(
                (closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute)
                // policy.slot_minutes
                for opens, closes in hours.periods
            )
            result.append(
                HallDay(
                    municipality.pk,
                    day,
                    hours.is_open,
                    slots * per_slot,
                    booked.get((municipality.pk, day), 0),
                )
            )
            day += timedelta(days=1)
    return result


def hall_open_days(*, scope: Scope, first: date, last: date) -> dict[int, list[date]]:
    """The days each municipality's hall was open (weekly hours, closures, holidays)."""
    result: dict[int, list[date]] = {}
    for h in hall_days(scope=scope, first=first, last=last):
        result.setdefault(h.municipality_id, [])
        if h.open:
            result[h.municipality_id].append(h.day)
    return result


def slot_capacity(*, scope: Scope, first: date, last: date) -> list[CapacityDay]:
    """Bookable places planned against bookings made, per day (days with either)."""
    return [
        CapacityDay(h.municipality_id, h.day, h.planned, h.booked)
        for h in hall_days(scope=scope, first=first, last=last)
        if h.planned or h.booked
    ]


def booking_days(*, scope: Scope, first: date, last: date, now: datetime) -> list[BookingDay]:
    """Bookings whose time has passed, and how many of them never checked in (no-shows)."""
    start, end = local_day_bounds(first, last)
    rows = (
        Booking.objects.for_scope(scope)
        .exclude(status=Booking.Status.CANCELLED)
        .filter(start__lt=now, start__gte=start)
        .filter(start__lt=end)
        .annotate(d=LocalDate("start"))
        .values("municipality_id", "d")
        .order_by()
        .annotate(
            n=Count("id"),
            checked=Count("id", filter=Q(status=Booking.Status.CHECKED_IN)),
        )
    )
    return [
        BookingDay(r["municipality_id"], r["d"], r["n"], r["checked"], r["n"] - r["checked"])
        for r in rows
    ]


@dataclass(frozen=True)
class WeekdayArrivals:
    """One municipality's measured arrivals on the open days of one weekday in a period (the
    staffing page). Half-hours are keyed by their start, in minutes after midnight (local)."""

    open_days: tuple[date, ...]
    opens_minute: int | None  # the weekday's weekly opening hours (None: closed that weekday)
    closes_minute: int | None
    walk_ins: dict[int, int]  # tickets issued without a booking, by half-hour of issue
    bookings: dict[int, int]  # bookings not cancelled whose time has passed, by half-hour of it
    bookings_checked_in: int
    walk_in_called: int  # walk-in tickets with a call time
    walk_in_absent: int  # of them, not there when called (ticket status no_show): left the queue
    walk_in_wait_seconds: float  # the waits of the called walk-ins, summed


def _half_hours(rows: QuerySet[Any]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for hour, minute, n in rows.values_list("h", "m").order_by().annotate(n=Count("id")):
        counts[hour * 60 + (minute // 30) * 30] += n
    return dict(counts)


def weekday_arrivals(
    *, scope: Scope, weekday: int, first: date, last: date, now: datetime
) -> WeekdayArrivals:
    """Arrivals of one municipality (`scope` of one) on its open `weekday`s (0 = Monday) in
    [first, last]: walk-ins by half-hour of their ticket, bookings by half-hour of their time."""
    municipality = scope.municipalities().first()
    if municipality is None or scope.is_prefecture:
        raise ValueError("weekday arrivals are read for one municipality")
    policy = ReservationPolicy.of(municipality)
    calendar = HallCalendar(municipality=municipality, policy=policy, first=first, last=last)
    days = []
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    while day <= last:
        if calendar.hours(day).is_open:
            days.append(day)
        day += timedelta(weeks=1)
    weekly = calendar.weekly.get(weekday, [])
    opens = min((o.hour * 60 + o.minute for o, _c in weekly), default=None)
    closes = max((c.hour * 60 + c.minute for _o, c in weekly), default=None)
    tickets = Ticket.objects.for_scope(scope).filter(day__in=days, booking__isnull=True)
    walk_ins = _half_hours(tickets.annotate(h=LocalHour("issued_at"), m=LocalMinute("issued_at")))
    called = Q(called_at__isnull=False, called_at__gte=F("issued_at"))
    sums = tickets.aggregate(
        called=Count("id", filter=called),
        absent=Count("id", filter=called & Q(status=Ticket.Status.NO_SHOW)),
        seconds=Coalesce(Sum(SecondsBetween("called_at", "issued_at"), filter=called), 0.0),
    )
    start, end = local_day_bounds(first, last)
    bookings = (
        Booking.objects.for_scope(scope)
        .exclude(status=Booking.Status.CANCELLED)
        .filter(start__gte=start, start__lt=min(end, now))
        .annotate(d=LocalDate("start"))
        .filter(d__in=days)
    )
    return WeekdayArrivals(
        open_days=tuple(days),
        opens_minute=opens,
        closes_minute=closes,
        walk_ins=walk_ins,
        bookings=_half_hours(bookings.annotate(h=LocalHour("start"), m=LocalMinute("start"))),
        bookings_checked_in=bookings.filter(status=Booking.Status.CHECKED_IN).count(),
        walk_in_called=sums["called"],
        walk_in_absent=sums["absent"],
        walk_in_wait_seconds=float(sums["seconds"] or 0),
    )
