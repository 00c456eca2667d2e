from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.reservations import selectors, services
from madoguchi.reservations.calendar_days import HallCalendar
from madoguchi.reservations.models import (
    Booking,
    CalendarException,
    SlotLoad,
    Ticket,
    VisitEvent,
)

from .factories import ServiceFactory, WindowFactory, at, hall, working_day

pytestmark = pytest.mark.django_db


def _book(municipality, service, start, token="t1", now=None, **kw):  # type: ignore[no-untyped-def]  # noqa: S107
    return services.booking_create(
        municipality=municipality,
        service=service,
        start=start,
        name=kw.pop("name", "窓口 花子"),
        phone=kw.pop("phone", "090-1111-2222"),
        email=kw.pop("email", ""),
        submission_token=token,
        now=now,
        **kw,
    )


def test_calendar_closes_holidays_year_end_and_exceptions() -> None:
    municipality, _service, _ = hall()
    policy = selectors.policy_get(municipality=municipality)
    CalendarException.objects.create(municipality=municipality, date=date(2030, 6, 5), note="選挙")
    CalendarException.objects.create(
        municipality=municipality,
        date=date(2030, 6, 8),
        closed=False,
        opens=time(9),
        closes=time(12),
    )
    cal = HallCalendar(
        municipality=municipality, policy=policy, first=date(2029, 12, 1), last=date(2030, 12, 31)
    )
    assert not cal.hours(date(2029, 12, 31)).is_open  # 年末年始
    assert not cal.hours(date(2030, 1, 3)).is_open
    assert "祝日" in cal.hours(date(2030, 1, 14)).closed_reason.text  # 成人の日
    assert cal.hours(date(2030, 6, 5)).closed_reason.text == "選挙"
    assert not cal.hours(date(2030, 6, 9)).is_open  # Sunday
    saturday = cal.slot_starts(date(2030, 6, 8))  # special Saturday opening 9–12
    assert len(saturday) == 12
    monday = cal.slot_starts(date(2030, 6, 3))
    assert timezone.localtime(monday[0]).time() == time(8, 30)
    assert timezone.localtime(monday[-1]).time() == time(17, 0)  # ends by 17:15


def test_capacity_keeps_a_share_for_walk_ins() -> None:
    municipality, service, _ = hall(windows=4, walk_in_share_percent=25)
    policy = selectors.policy_get(municipality=municipality)
    assert selectors.window_pool(service=service, policy=policy).capacity == 3
    WindowFactory(municipality=municipality, services=[service], accepts_bookings=False)
    assert selectors.window_pool(service=service, policy=policy).capacity == 3


def _book_shared(municipality, service, start, i):  # type: ignore[no-untyped-def]
    return services.booking_create(
        municipality=municipality,
        service=service,
        start=start,
        name=f"来庁 太郎{i}",
        phone=f"090-2222-{i:04d}",
        submission_token=f"shared-{i}",
    )


def test_a_window_shared_by_two_services_is_booked_once() -> None:
    # Window 1 serves A and B; window 2 serves B only. At one time: A and B may each take
    # window 1 alone, but together A + B fit in two places, not three.
    municipality, service_a, (shared,) = hall(windows=1)
    service_b = ServiceFactory(municipality=municipality, series="B")
    shared.services.add(service_b)
    WindowFactory(municipality=municipality, services=[service_b])
    start = at(working_day(timezone.localdate()), 10, 0)
    policy = selectors.policy_get(municipality=municipality)
    assert selectors.window_pool(service=service_a, policy=policy).capacity == 1
    assert selectors.window_pool(service=service_b, policy=policy).capacity == 2

    _book_shared(municipality, service_a, start, 1)
    _book_shared(municipality, service_b, start, 2)  # window 2
    with pytest.raises(services.SlotFull):
        _book_shared(municipality, service_b, start, 3)  # window 1 is A's now
    day = timezone.localdate(start)
    shown = {
        s.start: s.free
        for d in selectors.service_slots(service=service_b, first=day, days=1, only_free=False)
        for s in d.slots
    }
    assert shown[start] == 0
    assert services.booking_slot_problem(service=service_b, start=start) is not None

    # Cancelling A's booking frees window 1 for B.
    services.booking_cancel(booking=Booking.objects.get(service=service_a, start=start))
    _book_shared(municipality, service_b, start, 4)
    assert Booking.objects.filter(start=start, status=Booking.Status.BOOKED).count() == 2


def test_slots_show_only_bookable_ones() -> None:
    municipality, service, _ = hall(windows=1)
    day = working_day(timezone.localdate())
    start = at(day, 9, 0)
    _book(municipality, service, start)
    days = selectors.service_slots(service=service, first=day, days=1)
    starts = [s.start for s in days[0].slots]
    assert start not in starts  # full (capacity 1)
    assert at(day, 9, 15) in starts


def test_booking_refuses_past_closed_and_off_grid_times() -> None:
    municipality, service, _ = hall()
    day = working_day(timezone.localdate())
    with pytest.raises(services.ReservationError) as past:
        _book(municipality, service, at(day, 10), now=at(day, 11))
    assert past.value.code == "too_late"
    sunday = day + timedelta(days=(6 - day.weekday()))
    with pytest.raises(services.ReservationError) as closed:
        _book(municipality, service, at(sunday, 10))
    assert closed.value.code == "closed"
    with pytest.raises(services.ReservationError) as grid:
        _book(municipality, service, at(day, 10, 7))
    assert grid.value.code == "closed"
    with pytest.raises(services.ReservationError) as evening:
        _book(municipality, service, at(day, 17, 15))
    assert evening.value.code == "closed"
    far = working_day(timezone.localdate() + timedelta(days=400))
    with pytest.raises(services.ReservationError) as horizon:
        _book(municipality, service, at(far, 10))
    assert horizon.value.code == "beyond_horizon"
    assert not Booking.objects.exists()


def test_double_submission_returns_the_same_booking_and_secret() -> None:
    municipality, service, _ = hall()
    start = at(working_day(timezone.localdate()), 10)
    first = _book(municipality, service, start, token="same")
    again = _book(municipality, service, start, token="same")
    assert first.created and not again.created
    assert again.booking.pk == first.booking.pk and again.secret == first.secret
    assert SlotLoad.objects.get(service=service, start=start).booked == 1


def test_slot_filled_while_the_form_was_open() -> None:
    municipality, service, _ = hall(windows=1)
    start = at(working_day(timezone.localdate()), 10)
    _book(municipality, service, start, token="a", phone="090-0000-0001")
    with pytest.raises(services.SlotFull) as full:
        _book(municipality, service, start, token="b", phone="090-0000-0002")
    assert full.value.message == "この時間枠は満員になりました。別の時間を選んでください。"


def test_per_person_limit_by_contact() -> None:
    municipality, service, _ = hall()
    policy = selectors.policy_get(municipality=municipality)
    policy.max_active_bookings_per_person = 2
    policy.save()
    day = working_day(timezone.localdate())
    _book(municipality, service, at(day, 9), token="1", phone="090-1234-5678")
    _book(municipality, service, at(day, 10), token="2", phone="09012345678")
    with pytest.raises(services.ReservationError) as limit:
        _book(municipality, service, at(day, 11), token="3", phone="090-1234-5678")
    assert limit.value.code == "person_limit"


def test_secret_checks_and_cancel_frees_the_place() -> None:
    municipality, service, _ = hall(windows=1)
    start = at(working_day(timezone.localdate()), 10)
    result = _book(municipality, service, start)
    code = result.booking.code
    assert selectors.booking_access(municipality=municipality, code=code, secret="000000x") is None
    assert (
        selectors.booking_access(municipality=municipality, code="ZZZZZZZZ", secret=result.secret)
        is None
    )
    found = selectors.booking_access(
        municipality=municipality, code=code.lower(), secret=result.secret
    )
    assert found is not None
    services.booking_cancel(booking=found)
    assert SlotLoad.objects.get(service=service, start=start).booked == 0
    with pytest.raises(services.ReservationError):
        services.booking_cancel(booking=found)


def test_reschedule_moves_the_place() -> None:
    municipality, service, _ = hall(windows=1)
    day = working_day(timezone.localdate())
    result = _book(municipality, service, at(day, 10))
    services.booking_reschedule(booking=result.booking, start=at(day, 11))
    assert SlotLoad.objects.get(service=service, start=at(day, 10)).booked == 0
    assert SlotLoad.objects.get(service=service, start=at(day, 11)).booked == 1
    _book(municipality, service, at(day, 14), token="other", phone="090-9999-9999")
    with pytest.raises(services.SlotFull):
        services.booking_reschedule(booking=result.booking, start=at(day, 14))


def test_confirmation_and_reminders_are_sent_once(django_capture_on_commit_callbacks) -> None:
    municipality, service, _ = hall()
    day = working_day(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        result = _book(municipality, service, at(day, 10), email="hanako@example.jp")
    assert len(mail.outbox) == 1
    assert result.booking.display_code in mail.outbox[0].body
    assert result.secret in mail.outbox[0].body
    mail.outbox.clear()
    evening_before = at(day - timedelta(days=1), 18)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bookings_send_reminders(now=evening_before) == 1
        assert services.bookings_send_reminders(now=evening_before) == 0
    assert len(mail.outbox) == 1
    assert "明日" in mail.outbox[0].subject


def test_check_in_issues_one_ticket_and_refuses_other_days() -> None:
    municipality, service, _ = hall()
    day = working_day(timezone.localdate())
    result = _book(municipality, service, at(day, 10))
    with pytest.raises(services.ReservationError) as other:
        services.booking_check_in(
            municipality=municipality, code=result.booking.code, now=at(day - timedelta(days=1), 9)
        )
    assert other.value.code == "other_day"
    with pytest.raises(services.ReservationError) as forged:
        services.booking_check_in(municipality=municipality, code="ABCD-EFGH", now=at(day, 9))
    assert forged.value.code == "unknown"
    ticket = services.booking_check_in(
        municipality=municipality, code=result.booking.display_code, now=at(day, 9, 50)
    )
    again = services.booking_check_in(
        municipality=municipality, code=result.booking.code, now=at(day, 9, 51)
    )
    assert ticket.pk == again.pk
    assert ticket.booked_for == at(day, 10)
    assert Booking.objects.get().status == Booking.Status.CHECKED_IN


def test_call_order_booked_at_their_time_then_longest_waiting() -> None:
    municipality, service, windows = hall(windows=1)
    other = ServiceFactory(municipality=municipality, series="B")
    day = working_day(timezone.localdate())
    booked = _book(municipality, service, at(day, 10), now=at(day - timedelta(days=3), 9))
    w1 = services.ticket_issue(municipality=municipality, service=service, now=at(day, 9, 30))
    services.ticket_issue(municipality=municipality, service=other, now=at(day, 9, 20))
    checked = services.booking_check_in(
        municipality=municipality, code=booked.booking.code, now=at(day, 9, 40)
    )
    w2 = services.ticket_issue(municipality=municipality, service=service, now=at(day, 9, 45))
    window = windows[0]
    # 9:50: the booking is not due yet → longest waiting walk-in of this window's services.
    first = services.ticket_call_next(window=window, staff=None, now=at(day, 9, 50))
    assert first is not None and first.pk == w1.pk
    with pytest.raises(services.ReservationError) as still:
        services.ticket_call_next(window=window, staff=None, now=at(day, 9, 51))
    assert still.value.code == "still_calling"
    services.ticket_start(ticket=first, window=window, staff=None, now=at(day, 9, 52))
    # 9:58: the booked visitor is due (5 minutes' grace) and goes before w2.
    second = services.ticket_call_next(window=window, staff=None, now=at(day, 9, 58))
    assert second is not None and second.pk == checked.pk
    assert Ticket.objects.get(pk=w1.pk).status == Ticket.Status.FINISHED
    services.ticket_no_show(ticket=second, window=window, staff=None, now=at(day, 10, 5))
    third = services.ticket_call_next(window=window, staff=None, now=at(day, 10, 6))
    assert third is not None and third.pk == w2.pk
    services.ticket_transfer(
        ticket=third, window=window, to_service=other, staff=None, now=at(day, 10, 7)
    )
    assert services.ticket_call_next(window=window, staff=None, now=at(day, 10, 8)) is None
    kinds = list(VisitEvent.objects.filter(ticket=w1).values_list("kind", flat=True))
    assert kinds == ["issued", "called", "started", "finished"]
    assert VisitEvent.objects.filter(kind="no_show", ticket=checked).exists()
    moved = VisitEvent.objects.get(kind="transferred")
    assert moved.service == service and moved.to_service == other


def test_stale_console_gets_a_clear_message() -> None:
    municipality, service, windows = hall(windows=2)
    services.ticket_issue(municipality=municipality, service=service)
    ticket = services.ticket_call_next(window=windows[0], staff=None)
    assert ticket is not None
    with pytest.raises(services.ReservationError) as stale:
        services.ticket_start(ticket=ticket, window=windows[1], staff=None)
    assert stale.value.code == "stale"


def test_wait_estimate_uses_measured_service_times() -> None:
    municipality, service, windows = hall(windows=1)
    day = working_day(timezone.localdate())
    window = windows[0]
    for i in range(3):
        services.ticket_issue(municipality=municipality, service=service, now=at(day, 9, i))
        t = services.ticket_call_next(window=window, staff=None, now=at(day, 9, 10 * i + 5))
        assert t is not None
        services.ticket_start(ticket=t, window=window, staff=None, now=at(day, 9, 10 * i + 5))
        services.ticket_finish(ticket=t, window=window, staff=None, now=at(day, 9, 10 * i + 9))
    for i in range(5):
        services.ticket_issue(municipality=municipality, service=service, now=at(day, 9, 40 + i))
    (wait,) = selectors.service_waits(municipality=municipality, now=at(day, 9, 50))
    assert wait.measured and wait.minutes_per_visit == 4.0
    assert wait.waiting == 5 and wait.windows == 1
    assert wait.estimate_minutes == 20
    last = Ticket.objects.filter(status=Ticket.Status.WAITING).order_by("-number").first()
    assert last is not None
    assert selectors.ticket_position(ticket=last, now=at(day, 9, 50)) == (4, 16)


def test_a_past_booking_can_no_longer_be_changed_or_cancelled() -> None:
    municipality, service, _ = hall()
    day = working_day(timezone.localdate())
    result = _book(municipality, service, at(day, 10))
    with pytest.raises(services.ReservationError) as expired:
        services.booking_cancel(booking=result.booking, now=at(day, 10, 30))
    assert expired.value.code == "expired"
    with pytest.raises(services.ReservationError):
        services.booking_reschedule(booking=result.booking, start=at(day, 11), now=at(day, 10, 30))


def test_a_late_booked_visitor_loses_the_priority() -> None:
    municipality, service, _ = hall()
    day = working_day(timezone.localdate())
    result = _book(municipality, service, at(day, 10))
    ticket = services.booking_check_in(
        municipality=municipality, code=result.booking.code, now=at(day, 10, 20)
    )
    assert ticket.booked_for is None


def test_a_month_of_slots_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    municipality, service, _ = hall(windows=10)
    day = working_day(timezone.localdate())
    _book(municipality, service, at(day, 10))
    with django_assert_max_num_queries(6):
        days = selectors.service_slots(service=service, first=timezone.localdate(), days=31)
    assert sum(len(d.slots) for d in days) > 100


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40))
def test_any_typed_or_scanned_code_gives_a_clear_refusal(text: str) -> None:
    municipality, _service, _ = hall()
    with pytest.raises(services.ReservationError) as refused:
        services.booking_check_in(municipality=municipality, code=text)
    assert refused.value.code == "unknown"
    assert selectors.booking_access(municipality=municipality, code=text, secret=text) is None


def test_visit_times_measure_wait_and_service() -> None:
    municipality, service, windows = hall(windows=1)
    day = working_day(timezone.localdate())
    services.ticket_issue(municipality=municipality, service=service, now=at(day, 9, 0))
    t = services.ticket_call_next(window=windows[0], staff=None, now=at(day, 9, 12))
    assert t is not None
    services.ticket_start(ticket=t, window=windows[0], staff=None, now=at(day, 9, 13))
    services.ticket_finish(ticket=t, window=windows[0], staff=None, now=at(day, 9, 20))
    (visit,) = selectors.visit_times(municipality=municipality, first=day, last=day)
    assert visit.number == "A001" and visit.outcome == "finished" and not visit.booked
    assert visit.wait_minutes == 12 and visit.service_minutes == 7
