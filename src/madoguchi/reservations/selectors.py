"""Reads: policy, bookable slots, queues, wait estimates, the calling display and the board."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from madoguchi.accounts.models import StaffUser
from madoguchi.core.localized_text import NO_TEXT, LocalizedText
from madoguchi.core.secrets import equal
from madoguchi.tenancy.access import Scope as TenantScope
from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality

from . import facts
from .calendar_days import HallCalendar
from .codes import booking_code_normalize, manage_token, secret_hash
from .models import Booking, ReservationPolicy, Service, SlotLoad, Ticket, VisitEvent, Window

# Measured service times are taken from this many recent hours; fewer samples → standard time.
SERVICE_TIME_WINDOW = timedelta(hours=3)
MIN_SAMPLES = 3
# A window counts as staffed when it called someone within this time.
STAFFED_WINDOW = timedelta(minutes=60)
# Booked visitors are "due" from this long before their time and called before walk-ins.
BOOKED_GRACE = timedelta(minutes=5)
DISPLAY_RECENT_CALLS = 8


def policy_get(*, municipality: Municipality) -> ReservationPolicy:
    """The municipality's policy, or the defaults (unsaved) before a manager set one."""
    return ReservationPolicy.of(municipality)


def service_list(*, municipality: Municipality, bookable_only: bool = False) -> QuerySet[Service]:
    qs = Service.objects.for_municipality(municipality).filter(is_active=True)
    if bookable_only:
        qs = qs.filter(bookable=True)
    return qs.prefetch_related("procedures")


def window_list(*, municipality: Municipality) -> QuerySet[Window]:
    return (
        Window.objects.for_municipality(municipality)
        .filter(is_active=True)
        .prefetch_related("services")
    )


# Services whose windows overlap are checked together up to this many (2**(n-1) groups).
MAX_POOLED_SERVICES = 12


@dataclass(frozen=True)
class WindowPool:
    """What one service's bookings compete for when windows serve several services.

    A slot's bookings fit only if each can be given its own window serving its service (a
    matching). By Hall's theorem that holds when every group of services has no more bookings
    than the windows serving any of them (less the walk-in share): `limits` holds those groups
    for the groups that contain this service, the only ones a new booking can overfill.
    """

    service_id: int
    limits: tuple[tuple[frozenset[int], int], ...]

    @property
    def services(self) -> frozenset[int]:
        return frozenset().union(*(group for group, _limit in self.limits))

    @property
    def capacity(self) -> int:
        """Bookings per slot of this service alone (no other service booked)."""
        return next(limit for group, limit in self.limits if group == {self.service_id})

    def room(self, booked: Mapping[int, int]) -> int:
        """How many more bookings of the service fit, given the bookings per service."""
        return max(
            0,
            min(limit - sum(booked.get(s, 0) for s in group) for group, limit in self.limits),
        )


def window_pool(*, service: Service, policy: ReservationPolicy) -> WindowPool:
    """The service's booking limits, with the services it shares windows with (one query)."""
    pairs = Window.services.through.objects.filter(
        window__municipality_id=service.municipality_id,
        window__is_active=True,
        window__accepts_bookings=True,
    ).values_list("window_id", "service_id")
    serves: dict[int, set[int]] = {}
    for window_id, service_id in pairs:
        serves.setdefault(service_id, set()).add(window_id)
    mine = serves.get(service.pk, set())
    # The services that can take one of this service's windows, directly or through others.
    related, windows = {service.pk}, set(mine)
    while more := {s for s, ws in serves.items() if s not in related and ws & windows}:
        related |= more
        windows |= set().union(*(serves[s] for s in more))
    others = sorted(related - {service.pk})[: MAX_POOLED_SERVICES - 1]
    limits = []
    for size in range(len(others) + 1):
        for extra in itertools.combinations(others, size):
            group = frozenset((service.pk, *extra))
            served = set().union(*(serves.get(s, set()) for s in group))
            limits.append((group, policy.bookable(len(served))))
    return WindowPool(service_id=service.pk, limits=tuple(limits))


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass
class DaySlots:
    day: date
    closed_reason: LocalizedText = NO_TEXT
    slots: list[Slot] = field(default_factory=list)


def booking_window(*, policy: ReservationPolicy, now: datetime) -> tuple[datetime, date]:
    """(earliest bookable start, last bookable day)."""
    earliest = now + timedelta(minutes=policy.booking_lead_minutes)
    last_day = timezone.localdate(now) + timedelta(days=policy.booking_horizon_days)
    return earliest, last_day


def service_slots(
    *,
    service: Service,
    first: date,
    days: int,
    now: datetime | None = None,
    only_free: bool = True,
) -> list[DaySlots]:
    """The service's slots day by day; only bookable ones (future, open, free) by default.

    Five queries whatever the range: policy, windows, opening hours, exceptions, slot loads.
    """
    now = now or timezone.now()
    municipality = service.municipality
    policy = policy_get(municipality=municipality)
    earliest, last_day = booking_window(policy=policy, now=now)
    first = max(first, timezone.localdate(now))
    last = min(first + timedelta(days=days - 1), last_day)
    if last < first:
        return []
    pool = window_pool(service=service, policy=policy)
    calendar = HallCalendar(municipality=municipality, policy=policy, first=first, last=last)
    tz = timezone.get_default_timezone()
    range_start = timezone.make_aware(datetime.combine(first, datetime.min.time()), tz)
    range_end = timezone.make_aware(
        datetime.combine(last + timedelta(days=1), datetime.min.time()), tz
    )
    loads: dict[datetime, dict[int, int]] = {}
    for start, service_id, booked in SlotLoad.objects.filter(
        service_id__in=pool.services, start__gte=range_start, start__lt=range_end, booked__gt=0
    ).values_list("start", "service_id", "booked"):
        loads.setdefault(start, {})[service_id] = booked
    step = timedelta(minutes=policy.slot_minutes)
    result: list[DaySlots] = []
    day = first
    while day <= last:
        hours = calendar.hours(day)
        entry = DaySlots(day=day, closed_reason=hours.closed_reason)
        for start in calendar.slot_starts(day):
            if only_free and start < earliest:
                continue
            # `booked`: the places taken, by this service or by others at shared windows.
            taken = pool.capacity - pool.room(loads.get(start, {}))
            slot = Slot(start=start, end=start + step, capacity=pool.capacity, booked=taken)
            if only_free and slot.free <= 0:
                continue
            entry.slots.append(slot)
        result.append(entry)
        day += timedelta(days=1)
    return result


def booking_access(*, municipality: Municipality, code: str, secret: str) -> Booking | None:
    """The booking for a code and its secret; None for a wrong pair (same answer either way)."""
    code = booking_code_normalize(code)
    booking = (
        Booking.objects.for_municipality(municipality)
        .select_related("service")
        .filter(code=code)
        .first()
    )
    if booking is None:
        return None
    if not equal(booking.secret_hash, secret_hash(code=code, secret=secret)):
        return None
    return booking


def booking_by_manage_link(*, municipality: Municipality, code: str, token: str) -> Booking | None:
    """The booking a mail's manage link points to; None for a wrong or altered link."""
    booking = booking_by_code(municipality=municipality, code=code)
    if booking is None:
        return None
    expected = manage_token(code=booking.code, secret_hash=booking.secret_hash)
    return booking if equal(expected, token[:64]) else None


def booking_by_code(*, municipality: Municipality, code: str) -> Booking | None:
    return (
        Booking.objects.for_municipality(municipality)
        .select_related("service")
        .filter(code=booking_code_normalize(code))
        .first()
    )


def bookings_for_day(*, municipality: Municipality, day: date) -> QuerySet[Booking]:
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)
    return (
        Booking.objects.for_municipality(municipality)
        .filter(start__gte=start, start__lt=start + timedelta(days=1))
        .select_related("service")
        .order_by("start", "id")
    )


# --- The queue ---------------------------------------------------------------------------


def queue_order(qs: QuerySet[Ticket], *, now: datetime) -> QuerySet[Ticket]:
    """Booked visitors whose time has come first (by booked time), then everyone by arrival."""
    from django.db.models import Case, F, IntegerField, Value, When

    due = Q(booked_for__isnull=False, booked_for__lte=now + BOOKED_GRACE)
    return qs.annotate(
        due_rank=Case(When(due, then=Value(0)), default=Value(1), output_field=IntegerField()),
        order_at=Case(When(due, then=F("booked_for")), default=F("queued_at")),
    ).order_by("due_rank", "order_at", "id")


def waiting_tickets(
    *, municipality: Municipality, services: list[Service] | None = None, now: datetime
) -> QuerySet[Ticket]:
    qs = Ticket.objects.for_municipality(municipality).filter(
        day=timezone.localdate(now), status=Ticket.Status.WAITING
    )
    if services is not None:
        qs = qs.filter(service__in=services)
    return queue_order(qs.select_related("service", "booking"), now=now)


def window_current_ticket(*, window: Window, now: datetime) -> Ticket | None:
    return (
        Ticket.objects.for_municipality(window.municipality)
        .filter(
            window=window,
            day=timezone.localdate(now),
            status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING],
        )
        .select_related("service", "booking")
        .order_by("-called_at")
        .first()
    )


# How far ahead the kiosk looks for the next opening (a long holiday, 年末年始).
NEXT_OPENING_LOOKAHEAD_DAYS = 45


@dataclass(frozen=True)
class HallHours:
    """Whether the hall takes visitors now, and when it opens next when it does not."""

    open_now: bool
    closes_at: datetime | None = None
    next_opening: datetime | None = None


def hall_hours(*, municipality: Municipality, now: datetime | None = None) -> HallHours:
    """Open now (weekly hours, closed days, holidays, 年末年始), else the next opening time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = today + timedelta(days=NEXT_OPENING_LOOKAHEAD_DAYS)
    policy = policy_get(municipality=municipality)
    calendar = HallCalendar(municipality=municipality, policy=policy, first=today, last=last)
    tz = timezone.get_default_timezone()
    day = today
    while day <= last:
        for opens, closes in calendar.hours(day).periods:
            start = timezone.make_aware(datetime.combine(day, opens), tz)
            end = timezone.make_aware(datetime.combine(day, closes), tz)
            if start <= now < end:
                return HallHours(open_now=True, closes_at=end)
            if start > now:
                return HallHours(open_now=False, next_opening=start)
        day += timedelta(days=1)
    return HallHours(open_now=False)


@dataclass(frozen=True)
class ServiceWait:
    service: Service
    waiting: int
    windows: int
    minutes_per_visit: float
    measured: bool
    estimate_minutes: int
    # Outside opening hours and on closed days: no estimate, the screens say 受付終了.
    closed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.service.pk,
            "series": self.service.series,
            "name": self.service.name,
            "name_en": self.service.name_en,
            "waiting": self.waiting,
            "windows": self.windows,
            "minutes_per_visit": round(self.minutes_per_visit, 1),
            "measured": self.measured,
            "estimate_minutes": self.estimate_minutes,
            "closed": self.closed,
        }


def estimate_minutes(*, ahead: int, minutes_per_visit: float, windows: int) -> int:
    """Expected wait for the next in line behind `ahead` people at `windows` parallel windows."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * minutes_per_visit / max(1, windows))


def service_waits(*, municipality: Municipality, now: datetime | None = None) -> list[ServiceWait]:
    """Current queue and estimated wait per service, from the measured times of recent hours."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    closed = not hall_hours(municipality=municipality, now=now).open_now
    services = list(service_list(municipality=municipality))
    waiting = dict(
        Ticket.objects.for_municipality(municipality)
        .filter(day=today, status=Ticket.Status.WAITING)
        .values("service")
        .annotate(n=Count("id"))
        .values_list("service", "n")
    )
    # Measured service minutes per service over the recent hours (the dashboards' rule).
    measured_times = facts.service_times(
        scope=TenantScope.of_municipality(municipality),
        finished_since=now - SERVICE_TIME_WINDOW,
    )
    # Staffed windows: those that called someone recently; otherwise every active window.
    recent_windows = set(
        Ticket.objects.for_municipality(municipality)
        .filter(called_at__gte=now - STAFFED_WINDOW, window__isnull=False)
        .values_list("window", flat=True)
        .distinct()
    )
    handles: dict[int, set[int]] = {}
    for window in window_list(municipality=municipality):
        for service in window.services.all():
            handles.setdefault(service.pk, set()).add(window.pk)
    result = []
    for service in services:
        windows_all = handles.get(service.pk, set())
        staffed = windows_all & recent_windows
        windows = len(staffed) or len(windows_all)
        times = measured_times.get(service.pk)
        mean = times.mean_minutes if times is not None and times.timed >= MIN_SAMPLES else None
        measured = mean is not None
        per_visit = mean if mean is not None else float(service.standard_minutes)
        n = waiting.get(service.pk, 0)
        result.append(
            ServiceWait(
                service=service,
                waiting=n,
                windows=windows,
                minutes_per_visit=per_visit,
                measured=measured,
                estimate_minutes=estimate_minutes(
                    ahead=n, minutes_per_visit=per_visit, windows=windows
                ),
                closed=closed,
            )
        )
    return result


def ticket_position(*, ticket: Ticket, now: datetime | None = None) -> tuple[int, int]:
    """(people ahead of this ticket in its service's queue, estimated minutes)."""
    now = now or timezone.now()
    if ticket.status != Ticket.Status.WAITING:
        return 0, 0
    ordered = list(
        waiting_tickets(
            municipality=ticket.municipality, services=[ticket.service], now=now
        ).values_list("id", flat=True)
    )
    ahead = ordered.index(ticket.pk) if ticket.pk in ordered else len(ordered)
    wait = next(
        (
            w
            for w in service_waits(municipality=ticket.municipality, now=now)
            if w.service.pk == ticket.service_id
        ),
        None,
    )
    if wait is None:
        return ahead, 0
    return ahead, estimate_minutes(
        ahead=ahead, minutes_per_visit=wait.minutes_per_visit, windows=wait.windows
    )


# --- The calling display ---------------------------------------------------------------------


def display_version(*, municipality: Municipality, now: datetime | None = None) -> int:
    """The newest event id of today: the display redraws when it changes (one indexed query)."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), datetime.min.time()), tz)
    value = (
        VisitEvent.objects.for_municipality(municipality)
        .filter(at__gte=start)
        .aggregate(m=Max("id"))["m"]
    )
    return int(value or 0)


def display_state(*, municipality: Municipality, now: datetime | None = None) -> dict[str, Any]:
    """What the hall's screen shows: the latest calls and the queue per service (no names)."""
    now = now or timezone.now()
    version = display_version(municipality=municipality, now=now)
    calls = (
        Ticket.objects.for_municipality(municipality)
        .filter(
            day=timezone.localdate(now),
            status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING],
        )
        .select_related("window")
        .order_by("-last_called_at")[:DISPLAY_RECENT_CALLS]
    )
    last_call = (
        VisitEvent.objects.for_municipality(municipality)
        .filter(
            kind__in=[VisitEvent.Kind.CALLED, VisitEvent.Kind.RECALLED],
            at__gte=now - timedelta(hours=12),
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return {
        "version": version,
        "last_call_id": last_call or 0,
        "calls": [
            {
                "number": t.display_number,
                "window": t.window.label if t.window else "",
                "window_name": t.window.name if t.window else "",
                "status": t.status,
            }
            for t in calls
        ],
        "services": [w.as_json() for w in service_waits(municipality=municipality, now=now)],
        "updated_at": timezone.localtime(now).strftime("%H:%M:%S"),
    }


def staff_window_get(*, user: StaffUser, window_id: int) -> Window:
    """The window by id within the staff member's municipality (404 otherwise)."""
    assert user.municipality is not None
    return access_tenant_object(Window, municipality=user.municipality, pk=window_id)


# --- Measured times, for the insights --------------------------------------------------------


@dataclass(frozen=True)
class VisitTimes:
    ticket_id: int
    day: date
    number: str
    service_id: int
    booked: bool
    outcome: str
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def wait_minutes(self) -> float | None:
        """Call time − ticket time (the measured wait)."""
        if self.called_at is None:
            return None
        return (self.called_at - self.issued_at).total_seconds() / 60

    @property
    def service_minutes(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds() / 60


def visit_times(*, municipality: Municipality, first: date, last: date) -> list[VisitTimes]:
    """Every visit between two days with its measured times (one query)."""
    rows = (
        Ticket.objects.for_municipality(municipality)
        .filter(day__gte=first, day__lte=last)
        .order_by("day", "issued_at", "id")
        .values_list(
            "id",
            "day",
            "series",
            "number",
            "service",
            "booking",
            "status",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
        )
    )
    return [
        VisitTimes(
            ticket_id=pk,
            day=day,
            number=f"{series}{number:03d}",
            service_id=service,
            booked=booking is not None,
            outcome=status,
            issued_at=issued,
            called_at=called,
            started_at=started,
            finished_at=finished,
        )
        for pk, day, series, number, service, booking, status, issued, called, started, finished in rows
    ]


def booking_counts_by_municipality(
    *, scope: TenantScope, first: date, last: date
) -> dict[int, int]:
    """Read contract (region, insights): bookings (not cancelled) per municipality id in the
    scope whose visit falls on local day `first` through `last`; none → left out."""
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()))
    rows = (
        scope.filter(Booking.objects.all())
        .filter(start__gte=start, start__lt=end)
        .exclude(status=Booking.Status.CANCELLED)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["municipality_id"]: row["n"] for row in rows}
