"""A realistic past year for the demo municipality, so every dashboard has data on first run.

Visits follow weekday and hour shapes of real counter queues: read from
../shared/benchmarks/queues when that evaluation file is present (shape parameters only, derived
at generation time; nothing of it is stored in the repository), else the built-in constants
below. Moves peak in March–April; some booked visitors never come; some walk-ins give up when
the queue is long (recorded as 不在 after the call). Waits come from a small queue simulation
per service and day (first come first served at the windows that serve it), so the figures
hang together. Rows are written with bulk_create: a year loads in a few seconds.

Every generated row is fictional (見本 names, DEMO receipt numbers).
"""

from __future__ import annotations

import csv
import gzip
import heapq
import math
import os
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from madoguchi.applications.codes import NO_ACCESS_CODE
from madoguchi.applications.deadlines import due_on_for
from madoguchi.applications.models import Application, CorrectionRequest
from madoguchi.faq.models import FaqQueryLog
from madoguchi.procedures.models import Procedure
from madoguchi.reservations.calendar_days import HallCalendar
from madoguchi.reservations.models import Booking, ReservationPolicy, Service, Ticket, Window
from madoguchi.tenancy.models import Municipality

PROJECT_DIR = Path(__file__).resolve().parents[2]
QUEUES_NAME = Path("shared", "benchmarks", "queues", "warsaw_queues_hourly.csv.gz")


def queues_file() -> Path | None:
    """The evaluation file beside the checkout (../shared/benchmarks), if there is one."""
    override = os.environ.get("MADOGUCHI_QUEUES_FILE")
    candidates = [Path(override)] if override else []
    candidates += [PROJECT_DIR.parent / QUEUES_NAME, PROJECT_DIR.parent.parent / QUEUES_NAME]
    return next((path for path in candidates if path.is_file()), None)


RECEIPT_PREFIX = "DEMO"

# Built-in shapes (used without the evaluation file): the share of a day's visitors arriving in
# each opening hour (a Japanese city hall's published hourly split, smoothed), and each
# weekday's load relative to the mean (Monday and Friday busiest, mid-week quietest).
HOUR_SHARES = {
    8: 0.06,
    9: 0.13,
    10: 0.16,
    11: 0.14,
    12: 0.09,
    13: 0.13,
    14: 0.12,
    15: 0.10,
    16: 0.05,
    17: 0.02,
}
WEEKDAY_FACTORS = {0: 1.15, 1: 1.0, 2: 0.9, 3: 0.95, 4: 1.05}
# Month factors: moves in March–April, a smaller peak at the start of the fiscal year's
# benefits (June) and the quiet summer.
MONTH_FACTORS = {
    1: 0.95, 2: 1.0, 3: 1.7, 4: 1.6, 5: 1.0, 6: 1.1,
    7: 0.95, 8: 0.85, 9: 0.9, 10: 0.95, 11: 0.9, 12: 1.0,
}  # fmt: skip
VISITS_PER_DAY = 90
APPLICATIONS_PER_DAY = 30
FAQ_PER_DAY = 25
BOOKED_SHARE = 0.2
BOOKING_NO_SHOW = 0.08
PATIENCE_MINUTES = 45.0  # mean patience of a walk-in (exponential)
SERVICE_WEIGHTS = {"A": 0.5, "B": 0.25, "C": 0.15, "D": 0.07, "E": 0.03}


@dataclass(frozen=True)
class Shapes:
    hours: dict[int, float]
    weekdays: dict[int, float]
    source: str


def load_shapes(path: Path | None = None) -> Shapes:
    """Hour shares and weekday factors, from the real queue counts when the file is here."""
    path = path or queues_file()
    if path is None or not path.is_file():
        return Shapes(HOUR_SHARES, WEEKDAY_FACTORS, "built-in")
    by_hour: dict[int, float] = defaultdict(float)
    by_weekday: dict[int, float] = defaultdict(float)
    dates: dict[int, set[str]] = defaultdict(set)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            served = float(row.get("served_est") or 0)
            day = date.fromisoformat(row["date"])
            if day.weekday() > 4 or served <= 0:
                continue
            # Their day runs from 8 to 18 like ours; later hours fold into the last one.
            by_hour[min(17, max(8, int(row["hour"])))] += served
            by_weekday[day.weekday()] += served
            dates[day.weekday()].add(row["date"])
    total = sum(by_hour.values())
    if not total:
        return Shapes(HOUR_SHARES, WEEKDAY_FACTORS, "built-in")
    per_day = {wd: by_weekday[wd] / len(dates[wd]) for wd in by_weekday if dates[wd]}
    mean = sum(per_day.values()) / len(per_day)
    return Shapes(
        hours={h: by_hour[h] / total for h in sorted(by_hour)},
        weekdays={wd: per_day[wd] / mean for wd in sorted(per_day)},
        source=path.name,
    )


@contextmanager
def _keep_given_times(*fields: tuple[type[Model], str]) -> Iterator[None]:
    """bulk_create runs pre_save, which overwrites auto_now_add fields with now; the demo's
    history needs its own past times, so switch that off for the duration."""
    saved = []
    for model, name in fields:
        field = model._meta.get_field(name)
        saved.append((field, field.auto_now_add))  # type: ignore[union-attr]
        field.auto_now_add = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        for field, value in saved:
            field.auto_now_add = value  # type: ignore[union-attr]


def _aware(day: date, minutes: float) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min) + timedelta(minutes=minutes))


def municipality_by_code(code: str) -> Municipality | None:
    return Municipality.objects.filter(code=code).first()


def history_exists(municipality: Municipality) -> bool:
    return Application.objects.filter(
        municipality=municipality, receipt_number__startswith=RECEIPT_PREFIX
    ).exists()


@transaction.atomic
def generate(
    municipality: Municipality,
    *,
    days: int = 365,
    scale: float = 1.0,
    seed: int = 2026,
    today: date | None = None,
) -> dict[str, int]:
    """Write `days` of history ending yesterday; returns the counts written."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first = today - timedelta(days=days)
    shapes = load_shapes()
    services = list(Service.objects.filter(municipality=municipality, is_active=True))
    if not services:
        return {"tickets": 0, "applications": 0, "faq": 0, "bookings": 0}
    # Staffed windows per service: enough for the year's mean load at 75 % busy (capped by the
    # windows that serve it), so the March–April peak and the late-morning hours build queues.
    windows_for: dict[int, int] = defaultdict(int)
    for window in Window.objects.filter(municipality=municipality, is_active=True):
        for service in window.services.all():
            windows_for[service.pk] += 1
    total_weight = sum(SERVICE_WEIGHTS.get(s.series, 0.05) for s in services)
    for service in services:
        work = VISITS_PER_DAY * scale * SERVICE_WEIGHTS.get(service.series, 0.05) / total_weight
        needed = math.ceil(work * service.standard_minutes / (510 * 0.75))
        windows_for[service.pk] = max(1, min(windows_for[service.pk] or 1, needed))
    policy = ReservationPolicy.objects.filter(
        municipality=municipality
    ).first() or ReservationPolicy(municipality=municipality)
    calendar = HallCalendar(municipality=municipality, policy=policy, first=first, last=today)
    procedures = list(Procedure.objects.filter(municipality=municipality))
    versions = {p.pk: p.current_version for p in procedures}
    procedures = [p for p in procedures if versions[p.pk] is not None]
    moving = [p for p in procedures if p.category == "housing_moving"]

    tickets: list[Ticket] = []
    bookings: list[Booking] = []
    booked_ticket: list[int] = []  # index into bookings for each ticket, -1 for walk-ins
    applications: list[Application] = []
    corrections: list[tuple[int, datetime]] = []
    queries: list[FaqQueryLog] = []
    day = first
    while day < today:
        hours = calendar.hours(day)
        if hours.is_open:
            month = MONTH_FACTORS[day.month]
            load = month * shapes.weekdays.get(day.weekday(), 1.0) * scale
            _visits_of_day(
                rng,
                municipality,
                day,
                services,
                windows_for,
                shapes,
                load,
                tickets,
                bookings,
                booked_ticket,
            )
            # Online share grows over the year (55 % → 75 %), as a municipality promotes it.
            progress = (day - first).days / max(1, days)
            online_share = 0.55 + 0.2 * progress
            for _ in range(_poisson(rng, APPLICATIONS_PER_DAY * load)):
                procedure = rng.choice(
                    moving if moving and month > 1.2 and rng.random() < 0.5 else procedures
                )
                online = rng.random() < online_share
                # Online: evenings after work and lunch breaks; counter: opening hours.
                minute = (
                    rng.triangular(6 * 60, 24 * 60, 21 * 60)
                    if online and rng.random() < 0.8
                    else rng.uniform(0, 24 * 60)
                    if online
                    else rng.uniform(8.5 * 60, 17 * 60)
                )
                submitted = _aware(day, minute)
                standard = procedure.standard_processing_days or 7
                lead = max(0, int(rng.gammavariate(2.0, standard / 2.6)))
                closed = _aware(day + timedelta(days=lead), rng.uniform(9 * 60, 17 * 60))
                done = closed < timezone.now()
                status = "completed" if done else rng.choice(["received", "in_review", "in_review"])
                if done and rng.random() < 0.04:
                    status = "rejected"
                applications.append(
                    Application(
                        municipality=municipality,
                        receipt_number=f"{RECEIPT_PREFIX}{day:%y%m%d}-{len(applications):06d}",
                        procedure=procedure,
                        form_version=versions[procedure.pk],
                        channel=("online" if rng.random() < 0.9 else "bundle")
                        if online
                        else "counter",
                        status=status,
                        answers={},
                        applicant_name="見本 データ",
                        access_code_salt="",
                        access_code_hash=NO_ACCESS_CODE,
                        submitted_at=submitted,
                        due_on=due_on_for(
                            standard_days=procedure.standard_processing_days,
                            submitted_at=submitted,
                        ),
                        closed_at=closed if done else None,
                    )
                )
                if rng.random() < 0.08:
                    corrections.append((len(applications) - 1, submitted + timedelta(days=2)))
        # The FAQ assistant answers every day, more on weekdays.
        for _ in range(
            _poisson(
                rng,
                FAQ_PER_DAY
                * MONTH_FACTORS[day.month]
                * scale
                * (1.0 if day.weekday() < 5 else 0.5),
            )
        ):
            answered = rng.random() < 0.8
            rated = rng.random() < 0.4
            queries.append(
                FaqQueryLog(
                    municipality=municipality,
                    created_at=_aware(day, rng.uniform(6 * 60, 23 * 60)),
                    query="（見本の質問）",
                    query_key="見本",
                    answered=answered,
                    confidence=rng.uniform(0.5, 0.95) if answered else rng.uniform(0, 0.3),
                    helpful=(rng.random() < 0.7)
                    if rated and answered
                    else (False if rated else None),
                )
            )
        day += timedelta(days=1)

    with _keep_given_times((Booking, "created_at"), (FaqQueryLog, "created_at")):
        Booking.objects.bulk_create(bookings, batch_size=2000)
        for ticket, index in zip(tickets, booked_ticket, strict=True):
            if index >= 0:
                ticket.booking = bookings[index]
        Ticket.objects.bulk_create(tickets, batch_size=2000)
        Application.objects.bulk_create(applications, batch_size=2000)
        FaqQueryLog.objects.bulk_create(queries, batch_size=2000)
    saved = {
        a.receipt_number: a.pk
        for a in Application.objects.filter(
            municipality=municipality, receipt_number__startswith=RECEIPT_PREFIX
        ).only("receipt_number")
    }
    CorrectionRequest.objects.bulk_create(
        [
            CorrectionRequest(
                municipality=municipality,
                application_id=saved[applications[i].receipt_number],
                field_keys=[],
                message="（見本）添付書類を確認してください。",
                deadline=(at + timedelta(days=14)).date(),
                token_hash=f"demo-{i}",
                requested_at=at,
                answers_before={},
                resubmitted_at=at + timedelta(days=3),
            )
            for i, at in corrections
        ],
        batch_size=2000,
    )
    return {
        "tickets": len(tickets),
        "applications": len(applications),
        "faq": len(queries),
        "bookings": len(bookings),
    }


def _poisson(rng: random.Random, mean: float) -> int:
    """Poisson by inversion (small means) or a rounded normal (large)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _visits_of_day(
    rng: random.Random,
    municipality: Municipality,
    day: date,
    services: list[Service],
    windows_for: dict[int, int],
    shapes: Shapes,
    load: float,
    tickets: list[Ticket],
    bookings: list[Booking],
    booked_ticket: list[int],
) -> None:
    weights = [SERVICE_WEIGHTS.get(s.series, 0.05) for s in services]
    arrivals: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for hour, share in shapes.hours.items():
        for _ in range(_poisson(rng, VISITS_PER_DAY * load * share)):
            service = rng.choices(services, weights)[0]
            minute = hour * 60 + rng.uniform(0, 60)
            if hour == 8:
                minute = max(minute, 8 * 60 + 30)
            booked = service.bookable and rng.random() < BOOKED_SHARE
            if booked:
                minute = (minute // 15) * 15  # bookings start on the quarter hour
            arrivals[service.pk].append((minute, booked))
    numbers: dict[str, int] = defaultdict(int)
    for service in services:
        windows = [8 * 60 + 30.0] * max(1, windows_for.get(service.pk, 1))
        heapq.heapify(windows)
        for minute, booked in sorted(arrivals[service.pk]):
            numbers[service.series] += 1
            mean = float(service.standard_minutes)
            service_minutes = max(1.0, rng.lognormvariate(math.log(mean) - 0.08, 0.4))
            free = heapq.heappop(windows)
            # Booked visitors are called at their time, ahead of the queue.
            called = max(minute, free) if not booked else max(minute, min(free, minute + 3))
            wait = called - minute
            index = -1
            if booked:
                bookings.append(
                    Booking(
                        municipality=municipality,
                        code=f"D{day:%y%m%d}{len(bookings) % 100000:05d}"[:12],
                        secret_hash="demo",  # noqa: S106 (no secret: nobody can open it)
                        service=service,
                        start=_aware(day, minute),
                        end=_aware(day, minute + 15),
                        name="見本 予約",
                        contact_hash=f"demo-{len(bookings)}",
                        submission_token=f"demo-{day:%Y%m%d}-{len(bookings)}",
                        status=Booking.Status.CHECKED_IN,
                        created_at=_aware(day - timedelta(days=rng.randint(1, 20)), 600),
                    )
                )
                index = len(bookings) - 1
                if rng.random() < BOOKING_NO_SHOW:
                    # Booked and never came: no ticket, the booking stays "booked".
                    bookings[index].status = Booking.Status.BOOKED
                    heapq.heappush(windows, free)
                    continue
            gave_up = not booked and wait > rng.expovariate(1 / PATIENCE_MINUTES)
            issued = _aware(day, minute)
            if gave_up:
                # Called once, nobody answered: the window moves on after a minute.
                heapq.heappush(windows, called + 1)
                ticket = Ticket(
                    status=Ticket.Status.NO_SHOW,
                    called_at=_aware(day, called),
                    last_called_at=_aware(day, called),
                    call_count=1,
                )
            else:
                started = called + rng.uniform(0.3, 1.5)
                finished = started + service_minutes
                heapq.heappush(windows, finished)
                ticket = Ticket(
                    status=Ticket.Status.FINISHED,
                    called_at=_aware(day, called),
                    last_called_at=_aware(day, called),
                    started_at=_aware(day, started),
                    finished_at=_aware(day, finished),
                    call_count=1,
                )
            ticket.municipality = municipality
            ticket.service = service
            ticket.series = service.series
            ticket.day = day
            ticket.number = numbers[service.series]
            ticket.issued_at = issued
            ticket.queued_at = issued
            ticket.booked_for = _aware(day, minute) if booked else None
            tickets.append(ticket)
            booked_ticket.append(index)
