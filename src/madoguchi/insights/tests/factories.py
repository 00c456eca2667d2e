"""Hand-made visits and applications with known figures (tests of the insights)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from madoguchi.applications.models import CorrectionRequest
from madoguchi.applications.tests.factories import (
    ApplicationFactory,
    FormVersionFactory,
    ProcedureFactory,
)
from madoguchi.faq.models import FaqQueryLog
from madoguchi.reservations.models import Ticket
from madoguchi.reservations.tests.factories import at, hall, working_day


def ticket(municipality: Any, service: Any, day: date, number: int, **times: Any) -> Ticket:
    status = times.pop("status", Ticket.Status.FINISHED)
    issued = times.pop("issued")
    return Ticket.objects.create(
        municipality=municipality,
        service=service,
        series=service.series,
        day=day,
        number=number,
        status=status,
        issued_at=issued,
        queued_at=issued,
        **times,
    )


def small_town(municipality: Any = None) -> dict[str, Any]:
    """One working day three weeks ago with figures worked out by hand (see test_figures)."""
    today = timezone.localdate()
    day = working_day(today - timedelta(days=21))
    municipality, service, _windows = hall(windows=2, municipality=municipality)
    # Waits 10, 30 and 5 minutes; service times 10 and 5 minutes.
    ticket(
        municipality,
        service,
        day,
        1,
        issued=at(day, 9, 0),
        called_at=at(day, 9, 10),
        started_at=at(day, 9, 11),
        finished_at=at(day, 9, 21),
    )
    ticket(
        municipality,
        service,
        day,
        2,
        issued=at(day, 9, 0),
        called_at=at(day, 9, 30),
        started_at=at(day, 9, 31),
        finished_at=at(day, 9, 36),
    )
    ticket(
        municipality,
        service,
        day,
        3,
        issued=at(day, 10, 0),
        called_at=at(day, 10, 5),
        status=Ticket.Status.NO_SHOW,
    )
    # Never closed, and served before it was called: two data-quality flags.
    ticket(
        municipality,
        service,
        day,
        4,
        issued=at(day, 11, 0),
        called_at=at(day, 11, 20),
        started_at=at(day, 11, 10),
        status=Ticket.Status.SERVING,
    )
    procedure = ProcedureFactory(municipality=municipality, standard_processing_days=10)
    version = FormVersionFactory(procedure=procedure, without_files=True)
    made = []
    for channel in ("online", "online", "online", "counter"):
        made.append(
            ApplicationFactory(
                municipality=municipality,
                form_version=version,
                channel=channel,
                submitted_at=at(day, 14, 0),
            )
        )
    done = made[0]
    done.status = "completed"
    done.closed_at = at(day + timedelta(days=5), 10, 0)
    done.save()
    CorrectionRequest.objects.create(
        municipality=municipality,
        application=made[1],
        message="x",
        deadline=day,
        token_hash="h",
        requested_at=at(day, 15, 0),
    )
    for answered, helpful in ((True, True), (True, False), (False, None), (True, None)):
        FaqQueryLog.objects.create(
            municipality=municipality, query="q", query_key="q", answered=answered, helpful=helpful
        )
    return {"municipality": municipality, "service": service, "day": day, "procedure": procedure}


def measured_weekday(
    municipality: Any = None,
    *,
    weekday: int = 2,
    weeks: int = 4,
    per_half_hour: int = 4,
    service_minutes: int = 6,
    bookings_per_day: int = 6,
) -> dict[str, Any]:
    """`weeks` weeks of a weekday (0 = Monday) with known counts: on each open one before today,
    `per_half_hour` walk-ins issued in every half-hour 08:30–17:00 (called after 2 minutes,
    served in exactly `service_minutes`), and `bookings_per_day` bookings at 10:00, one of each
    day's never coming (the rest checked in)."""
    from madoguchi.reservations.calendar_days import is_year_end
    from madoguchi.reservations.models import Booking

    municipality, service, _windows = hall(windows=3, municipality=municipality)
    today = timezone.localdate()
    first = today - timedelta(weeks=weeks)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    days, tickets, bookings = [], [], []
    while day < today:
        if not _holiday(day) and not is_year_end(day):
            days.append(day)
            number = 0
            for slot in range(17):  # 08:30 … 16:30
                start = at(day, 8, 30) + timedelta(minutes=30 * slot)
                for k in range(per_half_hour):
                    number += 1
                    issued = start + timedelta(minutes=k * 30 / per_half_hour)
                    called = issued + timedelta(minutes=2)
                    tickets.append(
                        Ticket(
                            municipality=municipality, service=service, series=service.series,
                            day=day, number=number, status=Ticket.Status.FINISHED,
                            issued_at=issued, queued_at=issued, called_at=called,
                            started_at=called,
                            finished_at=called + timedelta(minutes=service_minutes),
                        )
                    )  # fmt: skip
            for k in range(bookings_per_day):
                start = at(day, 10, 0)
                bookings.append(
                    Booking(
                        municipality=municipality, service=service, start=start,
                        end=start + timedelta(minutes=30), name="-",
                        code=f"T{municipality.pk:03d}{day:%m%d}{k}"[:12],
                        secret_hash="h", contact_hash="h",
                        submission_token=f"{day:%Y%m%d}-{k}",
                        status=Booking.Status.BOOKED if k == 0 else Booking.Status.CHECKED_IN,
                    )
                )  # fmt: skip
        day += timedelta(weeks=1)
    Ticket.objects.bulk_create(tickets)
    Booking.objects.bulk_create(bookings)
    return {"municipality": municipality, "service": service, "days": days}


def _holiday(day: date) -> bool:
    import jpholiday

    return bool(jpholiday.is_holiday(day))
