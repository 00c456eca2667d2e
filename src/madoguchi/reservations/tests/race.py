"""Concurrent booking / ticket / call scenarios, run by threads with one connection each.

Used in-process by test_concurrency on PostgreSQL, and as a subprocess against a fresh SQLite
*file* database (`python -m madoguchi.reservations.tests.race`): pytest-django's in-memory SQLite
is a shared-cache database whose table locks do not wait, unlike the real file database.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

THREADS = 16
SLOT_FULL = "この時間枠は満員になりました。別の時間を選んでください。"


def _run(n: int, attempt: Callable[[int], str]) -> Counter[str]:
    from django.db import connections

    def wrapped(i: int) -> str:
        try:
            return attempt(i)
        except Exception as exc:  # reported, so the caller's assertion shows it
            return f"error:{type(exc).__name__}:{exc}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return Counter(pool.map(wrapped, range(n)))


def bookings(attempts: int = 200, capacity: int = 3) -> dict[str, Any]:
    from django.utils import timezone

    from madoguchi.reservations import services
    from madoguchi.reservations.models import Booking, SlotLoad

    from .factories import at, hall, working_day

    municipality, service, _ = hall(windows=capacity)
    start = at(working_day(timezone.localdate()), 10, 0)

    def attempt(i: int) -> str:
        try:
            services.booking_create(
                municipality=municipality,
                service=service,
                start=start,
                name=f"来庁 太郎{i}",
                phone=f"090-1234-{i:04d}",
                submission_token=f"race-{i}",
            )
        except services.SlotFull as exc:
            return "full" if exc.message == SLOT_FULL else f"bad message: {exc.message}"
        return "ok"

    results = _run(attempts, attempt)
    return {
        "results": dict(results),
        "bookings": Booking.objects.filter(service=service, start=start).count(),
        "load": SlotLoad.objects.get(service=service, start=start).booked,
    }


def person_limit(attempts: int = 20, limit: int = 2) -> dict[str, Any]:
    """One person (one phone number) books many times at once: no more than the limit."""
    from django.utils import timezone

    from madoguchi.reservations import services
    from madoguchi.reservations.models import Booking, ReservationPolicy

    from .factories import at, hall, working_day

    municipality, service, _ = hall(windows=attempts)
    ReservationPolicy.objects.filter(municipality=municipality).update(
        max_active_bookings_per_person=limit
    )
    start = at(working_day(timezone.localdate()), 10, 0)

    def attempt(i: int) -> str:
        try:
            services.booking_create(
                municipality=municipality,
                service=service,
                start=start,
                name="来庁 花子",
                phone="090-1234-5678",
                submission_token=f"person-{i}",
            )
        except services.ReservationError as exc:
            return exc.code
        return "ok"

    results = _run(attempts, attempt)
    return {
        "results": dict(results),
        "bookings": Booking.objects.filter(service=service, start=start).count(),
    }


def shared_window(attempts: int = 40) -> dict[str, Any]:
    """Two services, one window shared and one for B only, booked at once: two places in all."""
    from django.utils import timezone

    from madoguchi.reservations import services
    from madoguchi.reservations.models import Booking

    from .factories import ServiceFactory, WindowFactory, at, hall, working_day

    municipality, service_a, (shared,) = hall(windows=1)
    service_b = ServiceFactory(municipality=municipality, series="B")
    shared.services.add(service_b)
    WindowFactory(municipality=municipality, services=[service_b])
    start = at(working_day(timezone.localdate()), 11, 0)

    def attempt(i: int) -> str:
        try:
            services.booking_create(
                municipality=municipality,
                service=service_a if i % 2 else service_b,
                start=start,
                name=f"来庁 太郎{i}",
                phone=f"090-3333-{i:04d}",
                submission_token=f"shared-{i}",
            )
        except services.SlotFull:
            return "full"
        return "ok"

    results = _run(attempts, attempt)
    booked = Booking.objects.filter(start=start, municipality=municipality)
    return {
        "results": dict(results),
        "a": booked.filter(service=service_a).count(),
        "total": booked.count(),
    }


def tickets(n: int = 100) -> dict[str, Any]:
    from django.utils import timezone

    from madoguchi.reservations import services
    from madoguchi.reservations.models import Ticket, VisitEvent

    from .factories import hall

    municipality, service, _ = hall(windows=2)

    def attempt(i: int) -> str:
        services.ticket_issue(municipality=municipality, service=service)
        return "ok"

    results = _run(n, attempt)
    numbers = sorted(
        Ticket.objects.filter(service=service, day=timezone.localdate()).values_list(
            "number", flat=True
        )
    )
    events = VisitEvent.objects.filter(ticket__service=service, kind=VisitEvent.Kind.ISSUED).count()
    return {"results": dict(results), "numbers": numbers, "events": events}


def calls(windows: int = 6) -> dict[str, Any]:
    from madoguchi.reservations import services

    from .factories import hall

    municipality, service, made = hall(windows=windows)
    for _ in range(windows):
        services.ticket_issue(municipality=municipality, service=service)

    def attempt(i: int) -> str:
        ticket = services.ticket_call_next(window=made[i], staff=None)
        return ticket.display_number if ticket else "none"

    return {"results": dict(_run(windows, attempt))}


def main() -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    outcome = {
        "bookings": bookings(),
        "person": person_limit(),
        "shared": shared_window(),
        "tickets": tickets(),
    }
    print(json.dumps({**outcome, "calls": calls()}))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings.test")
    sys.exit(main())
