"""Writes: bookings (race-safe capacity), tickets (gapless numbers), calls and the event log.

Concurrency, in one place:
- A slot's bookings are counted in a `SlotLoad` row. A booking increments it with one
  conditional `UPDATE … SET booked = booked + 1 WHERE booked < capacity` inside the booking's
  transaction: PostgreSQL row-locks and re-checks the condition, SQLite (transaction mode
  IMMEDIATE) serialises writers. Exactly `capacity` requests win; the others get `SlotFull`.
- Ticket numbers come from a `TicketCounter` row incremented the same way in the ticket's own
  transaction, so a number is never handed out twice and a rolled-back ticket leaves no gap.
- Ticket state changes are conditional UPDATEs on the expected state (two windows cannot call
  the same person; a stale console gets a clear message).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.core.localized_text import LocalizedText, localized
from madoguchi.notifications.services import notification_queue
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality, OpeningHours

from . import selectors
from .calendar_days import HallCalendar
from .codes import (
    CODE_LENGTH,
    booking_code_normalize,
    contact_hash,
    manage_token,
    new_booking_code,
    secret_for,
    secret_hash,
)
from .models import (
    Booking,
    CalendarException,
    ReservationPolicy,
    Service,
    SlotLoad,
    Ticket,
    TicketCounter,
    VisitEvent,
    Window,
    new_kiosk_key,
)

logger = logging.getLogger(__name__)

SLOT_FULL_MESSAGE = gettext_lazy("この時間枠は満員になりました。別の時間を選んでください。")
# Unambiguous when read aloud or typed from paper: no 0/O, 1/I.
# A booked visitor more than this late loses the priority of the booked time (served by arrival).
LATE_ALLOWANCE = timedelta(minutes=15)


class ReservationError(Exception):
    """A refusal with a message for the person in front of the screen."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code


class SlotFull(ReservationError):
    def __init__(self) -> None:
        super().__init__(str(SLOT_FULL_MESSAGE), "slot_full")


# --- Bookings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingResult:
    booking: Booking
    secret: str
    created: bool


def _check_slot(
    *, service: Service, policy: ReservationPolicy, start: datetime, now: datetime
) -> selectors.WindowPool:
    """The slot's limits, or a ReservationError saying why the time cannot be booked."""
    if not service.is_active or not service.bookable:
        raise ReservationError(_("この業務は来庁予約を受け付けていません。"), "not_bookable")
    earliest, last_day = selectors.booking_window(policy=policy, now=now)
    if start < earliest:
        raise ReservationError(
            _("この時間はもう予約できません。表示されている空き時間から選び直してください。"),
            "too_late",
        )
    day = timezone.localdate(start)
    if day > last_day:
        raise ReservationError(
            _("予約できるのは%(days)s日先までです。") % {"days": policy.booking_horizon_days},
            "beyond_horizon",
        )
    calendar = HallCalendar(municipality=service.municipality, policy=policy, first=day, last=day)
    if start not in calendar.slot_starts(day):
        raise ReservationError(
            _("この日時は予約を受け付けていません（閉庁日または受付時間外です）。"), "closed"
        )
    pool = selectors.window_pool(service=service, policy=policy)
    if pool.capacity <= 0:
        raise SlotFull()
    return pool


def booking_slot_problem(
    *, service: Service, start: datetime, now: datetime | None = None
) -> str | None:
    """Why this slot cannot be booked right now (shown before the form is filled), or None."""
    now = now or timezone.now()
    policy = selectors.policy_get(municipality=service.municipality)
    try:
        pool = _check_slot(service=service, policy=policy, start=start, now=now)
    except ReservationError as exc:
        return exc.message
    if pool.room(_slot_loads(pool=pool, start=start)) <= 0:
        return str(SLOT_FULL_MESSAGE)
    return None


def _slot_loads(*, pool: selectors.WindowPool, start: datetime) -> dict[int, int]:
    return dict(
        SlotLoad.objects.filter(service_id__in=pool.services, start=start).values_list(
            "service_id", "booked"
        )
    )


# Namespaces of the advisory locks taken below (any 32-bit numbers no other lock uses).
_PERSON_LOCK_SPACE = 0x4D475253
_SLOT_LOCK_SPACE = 0x4D47534C


def _advisory_lock(space: int, key: int) -> None:
    """A lock held to the end of the transaction (PostgreSQL; SQLite's writing transactions
    run one at a time already, IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, key])


def _serialise_person(person: str) -> None:
    """Make one person's bookings one at a time, so the per-person limit holds under load.

    PostgreSQL: a transaction-scoped advisory lock on the person's hash (two people sharing
    32 bits of it only wait for each other). SQLite already runs writing transactions one at
    a time (IMMEDIATE), so nothing is needed there.
    """
    _advisory_lock(_PERSON_LOCK_SPACE, int(person[:8], 16) - 2**31)  # a signed 32-bit key


def _slot_take(*, service: Service, start: datetime, pool: selectors.WindowPool) -> None:
    """Take one place in the slot, or raise SlotFull; call inside the booking's transaction.

    One service's count is guarded by a conditional update. Where windows also serve other
    services, bookings of the municipality at that time are made one at a time and every
    group of services sharing windows is checked (see WindowPool).
    """
    if len(pool.limits) > 1:
        when = f"{service.municipality_id}:{start.isoformat()}".encode()
        _advisory_lock(_SLOT_LOCK_SPACE, zlib.crc32(when) - 2**31)
        if pool.room(_slot_loads(pool=pool, start=start)) <= 0:
            raise SlotFull()
    capacity = pool.capacity
    SlotLoad.objects.bulk_create(
        [SlotLoad(municipality=service.municipality, service=service, start=start, booked=0)],
        ignore_conflicts=True,
    )
    taken = SlotLoad.objects.filter(service=service, start=start, booked__lt=capacity).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise SlotFull()


def _slot_release(*, service: Service, start: datetime) -> None:
    SlotLoad.objects.filter(service=service, start=start, booked__gt=0).update(
        booked=F("booked") - 1
    )


def booking_create(
    *,
    municipality: Municipality,
    service: Service,
    start: datetime,
    name: str,
    phone: str = "",
    email: str = "",
    procedures: Iterable[Procedure] = (),
    submission_token: str,
    now: datetime | None = None,
    mail_sealed: Mapping[str, str] | None = None,
) -> BookingResult:
    """Book a visit; idempotent per form submission (a double click returns the same booking).

    `mail_sealed`: what other apps add to the confirmation mail, sealed with it
    (notifications.contexts extensions: the counter's pre-input QR code)."""
    now = now or timezone.now()
    if service.municipality_id != municipality.pk:
        raise ValueError("service of another municipality")
    if not phone and not email:
        raise ReservationError(
            _("電話番号かメールアドレスのどちらかを入力してください。"), "contact"
        )
    secret = secret_for(submission_token=submission_token)
    existing = _booking_by_submission(municipality=municipality, token=submission_token)
    if existing is not None:
        return BookingResult(existing, secret, created=False)
    policy = selectors.policy_get(municipality=municipality)
    pool = _check_slot(service=service, policy=policy, start=start, now=now)
    person = contact_hash(phone=phone, email=email)
    try:
        with transaction.atomic():
            # Checked again inside the transaction: a double click may have just committed.
            existing = _booking_by_submission(municipality=municipality, token=submission_token)
            if existing is not None:
                return BookingResult(existing, secret, created=False)
            _serialise_person(person)
            active = Booking.objects.filter(
                municipality=municipality,
                contact_hash=person,
                status=Booking.Status.BOOKED,
                start__gte=now,
            ).count()
            if active >= policy.max_active_bookings_per_person:
                raise ReservationError(
                    _(
                        "お一人が同時に持てる予約は%(n)s件までです。"
                        "不要な予約を取り消してから、もう一度お申し込みください。"
                    )
                    % {"n": policy.max_active_bookings_per_person},
                    "person_limit",
                )
            _slot_take(service=service, start=start, pool=pool)
            code = new_booking_code()
            booking = Booking(
                municipality=municipality,
                service=service,
                start=start,
                end=start + timedelta(minutes=policy.slot_minutes),
                name=name,
                phone=phone,
                email=email,
                code=code,
                secret_hash=secret_hash(code=code, secret=secret),
                contact_hash=person,
                submission_token=submission_token,
            )
            # Uniqueness (code, submission) is left to the database: see IntegrityError below.
            booking.full_clean(
                exclude=["procedures"], validate_unique=False, validate_constraints=False
            )
            booking.save()
            allowed = set(service.procedures.values_list("pk", flat=True))
            booking.procedures.set([p for p in procedures if p.pk in allowed])
            if booking.email:
                booking_send_confirmation(booking=booking, secret=secret, extra=mail_sealed)
    except IntegrityError:
        # The same form submitted twice at once: the other request created it.
        existing = _booking_by_submission(municipality=municipality, token=submission_token)
        if existing is None:
            raise
        return BookingResult(existing, secret, created=False)
    return BookingResult(booking, secret, created=True)


def _booking_by_submission(*, municipality: Municipality, token: str) -> Booking | None:
    return (
        Booking.objects.for_municipality(municipality)
        .filter(submission_token=token)
        .select_related("service")
        .first()
    )


def _ensure_changeable(booking: Booking, now: datetime) -> None:
    if booking.status == Booking.Status.CANCELLED:
        raise ReservationError(_("この予約はすでに取り消されています。"), "cancelled")
    if booking.status == Booking.Status.CHECKED_IN:
        raise ReservationError(_("この予約はすでに受付が済んでいます。"), "checked_in")
    if booking.start <= now:
        raise ReservationError(_("予約の時間を過ぎたため、変更・取消しはできません。"), "expired")


def booking_cancel(*, booking: Booking, now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        _ensure_changeable(booking, now)
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        _slot_release(service=booking.service, start=booking.start)
        _notify(booking, "reservations/cancelled")
    return booking


def booking_reschedule(
    *, booking: Booking, start: datetime, now: datetime | None = None
) -> Booking:
    """Move a booking to another slot of the same service; the old place is freed atomically."""
    now = now or timezone.now()
    policy = selectors.policy_get(municipality=booking.municipality)
    pool = _check_slot(service=booking.service, policy=policy, start=start, now=now)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("service").get(pk=booking.pk)
        _ensure_changeable(booking, now)
        if booking.start == start:
            return booking
        _slot_take(service=booking.service, start=start, pool=pool)
        _slot_release(service=booking.service, start=booking.start)
        previous = booking.start
        booking.start = start
        booking.end = start + timedelta(minutes=policy.slot_minutes)
        booking.reminder_sent_at = None
        booking.save(update_fields=["start", "end", "reminder_sent_at"])
        _notify(booking, "reservations/changed", previous=previous.isoformat())
    return booking


def booking_what_to_bring(
    *, booking: Booking, easy: bool = False
) -> list[tuple[str, LocalizedText]]:
    """(procedure name, what to bring) for the chosen procedures, or every procedure of the
    service, in the reader's language (the active one; ``easy``: やさしい日本語 where written)."""
    procedures = list(booking.procedures.all()) or list(booking.service.procedures.all())
    texts = [(p.display_name, localized(p, "what_to_bring", easy=easy)) for p in procedures]
    return [(name, text) for name, text in texts if text.lines]


def booking_manage_url(*, booking: Booking) -> str:
    """The absolute manage link for the booking's mails (opens it without typing the PIN)."""
    token = manage_token(code=booking.code, secret_hash=booking.secret_hash)
    path = reverse(
        "reservations:open",
        kwargs={
            "municipality_code": booking.municipality.code,
            "code": booking.code,
            "token": token,
        },
    )
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


CONFIRMATION = "reservations/confirmation"


def booking_send_confirmation(
    *, booking: Booking, secret: str, extra: Mapping[str, str] | None = None
) -> None:
    """Queue the confirmation mail (sent once the booking commits; see reservations.notices).
    The PIN and the manage link travel sealed: only the PIN's hash is stored with the booking;
    `extra` are other apps' sealed parts (notifications.contexts extensions)."""
    notification_queue(
        municipality=booking.municipality,
        template=CONFIRMATION,
        reference=booking.pk,
        language=get_language() or "",
        sealed={
            **(extra or {}),
            "pin": secret,
            "manage_url": booking_manage_url(booking=booking),
        },
    )


def _notify(booking: Booking, template: str, **sealed: str) -> None:
    """A mail about a change the resident made (moved, cancelled), with the manage link sealed."""
    if not booking.email:
        return
    notification_queue(
        municipality=booking.municipality,
        template=template,
        reference=booking.pk,
        language=get_language() or "",
        sealed={"manage_url": booking_manage_url(booking=booking), **sealed},
    )


def bookings_send_reminders(*, now: datetime | None = None) -> int:
    """E-mail tomorrow's visitors once; safe to run again (each booking is claimed first)."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()), tz)
    due = (
        Booking.objects.filter(
            status=Booking.Status.BOOKED,
            start__gte=start,
            start__lt=start + timedelta(days=1),
            reminder_sent_at__isnull=True,
        )
        .exclude(email="")
        .select_related("service", "municipality")
    )
    sent = 0
    for booking in due:
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            # A failed send is retried by the notification path, not by claiming again.
            notification_queue(
                municipality=booking.municipality,
                template="reservations/reminder",
                reference=booking.pk,
                language=settings.LANGUAGE_CODE,
            )
        sent += 1
    return sent


# --- Tickets --------------------------------------------------------------------------------


def _event(
    ticket: Ticket,
    kind: str,
    now: datetime,
    *,
    window: Window | None = None,
    staff: StaffUser | None = None,
    to_service: Service | None = None,
    service: Service | None = None,
) -> VisitEvent:
    return VisitEvent.objects.create(
        municipality_id=ticket.municipality_id,
        ticket=ticket,
        kind=kind,
        at=now,
        service=service or ticket.service,
        to_service=to_service,
        window=window,
        staff=staff,
    )


def _next_number(*, municipality: Municipality, series: str, day: date) -> int:
    """Increment the series' counter for the day; call inside the ticket's transaction."""
    TicketCounter.objects.bulk_create(
        [TicketCounter(municipality=municipality, series=series, day=day, last_number=0)],
        ignore_conflicts=True,
    )
    counter = TicketCounter.objects.filter(municipality=municipality, series=series, day=day)
    counter.update(last_number=F("last_number") + 1)
    return int(counter.values_list("last_number", flat=True).get())


def ticket_issue(
    *,
    municipality: Municipality,
    service: Service,
    now: datetime | None = None,
    booking: Booking | None = None,
) -> Ticket:
    """A numbered ticket (A001…) for a walk-in, or for a booked visitor who checked in."""
    now = now or timezone.now()
    if service.municipality_id != municipality.pk:
        raise ValueError("service of another municipality")
    if not service.is_active:
        raise ReservationError(_("この業務は現在受け付けていません。"), "inactive")
    day = timezone.localdate(now)
    booked_for = None
    if booking is not None and now <= booking.start + LATE_ALLOWANCE:
        booked_for = booking.start
    with transaction.atomic():
        number = _next_number(municipality=municipality, series=service.series, day=day)
        ticket = Ticket.objects.create(
            municipality=municipality,
            service=service,
            series=service.series,
            day=day,
            number=number,
            booking=booking,
            issued_at=now,
            queued_at=now,
            booked_for=booked_for,
        )
        _event(ticket, VisitEvent.Kind.CHECKED_IN if booking else VisitEvent.Kind.ISSUED, now)
    return ticket


def booking_check_in(
    *, municipality: Municipality, code: str, now: datetime | None = None
) -> Ticket:
    """Turn today's booking into a ticket; scanning the same code again shows the same ticket."""
    now = now or timezone.now()
    normalized = booking_code_normalize(code)
    not_found = ReservationError(
        _(
            "予約番号が見つかりません。予約完了の画面やメールの番号（8文字）を確かめてください。"
            "分からないときは、番号札を取って窓口でお伝えください。"
        ),
        "unknown",
    )
    if len(normalized) != CODE_LENGTH:
        raise not_found
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .filter(municipality=municipality, code=normalized)
            .select_related("service")
            .first()
        )
        if booking is None:
            raise not_found
        if booking.status == Booking.Status.CANCELLED:
            raise ReservationError(
                _("この予約は取り消されています。番号札を取ってお待ちください。"), "cancelled"
            )
        if booking.status == Booking.Status.CHECKED_IN:
            return Ticket.objects.get(booking=booking)
        booked_day = timezone.localdate(booking.start)
        if booked_day != timezone.localdate(now):
            raise ReservationError(
                _("この予約は%(month)s月%(day)s日です。本日の予約ではありません。")
                % {"month": booked_day.month, "day": booked_day.day},
                "other_day",
            )
        ticket = ticket_issue(
            municipality=municipality, service=booking.service, now=now, booking=booking
        )
        booking.status = Booking.Status.CHECKED_IN
        booking.save(update_fields=["status"])
    return ticket


STALE = gettext_lazy("この番号札の状態が変わりました。画面の表示を確かめてください。")


def _transition(
    ticket: Ticket,
    *,
    window: Window,
    expected: list[str],
    kind: str,
    staff: StaffUser | None,
    now: datetime,
    changes: dict[str, Any],
    to_service: Service | None = None,
) -> Ticket:
    with transaction.atomic():
        updated = Ticket.objects.filter(
            pk=ticket.pk,
            municipality_id=window.municipality_id,
            window=window,
            status__in=expected,
        ).update(**changes)
        if not updated:
            raise ReservationError(str(STALE), "stale")
        fresh = Ticket.objects.select_related("service").get(pk=ticket.pk)
        _event(
            fresh,
            kind,
            now,
            window=window,
            staff=staff,
            to_service=to_service,
            service=ticket.service,
        )
    return fresh


def ticket_call_next(
    *, window: Window, staff: StaffUser | None, now: datetime | None = None
) -> Ticket | None:
    """Call the next visitor this window can serve; None when nobody is waiting.

    Booked visitors whose time has come go first (by booked time), then the longest waiting.
    A visitor still being served at this window is finished first; one still being called
    must be started, recalled or marked absent before the next call.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = selectors.window_current_ticket(window=window, now=now)
        if current is not None and current.status == Ticket.Status.CALLED:
            raise ReservationError(
                _(
                    "%(number)s を呼出中です。来られたら「開始」、来られなければ「不在」を"
                    "選んでから、次の方を呼んでください。"
                )
                % {"number": current.display_number},
                "still_calling",
            )
        if current is not None:
            ticket_finish(ticket=current, window=window, staff=staff, now=now)
        services = list(window.services.filter(is_active=True))
        while True:
            qs = selectors.queue_order(
                Ticket.objects.filter(
                    municipality_id=window.municipality_id,
                    day=timezone.localdate(now),
                    status=Ticket.Status.WAITING,
                    service__in=services,
                ),
                now=now,
            )
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            candidate = qs.first()
            if candidate is None:
                return None
            called = Ticket.objects.filter(pk=candidate.pk, status=Ticket.Status.WAITING).update(
                status=Ticket.Status.CALLED,
                window=window,
                staff=staff,
                called_at=now,
                last_called_at=now,
                call_count=F("call_count") + 1,
            )
            if called:
                ticket = Ticket.objects.select_related("service").get(pk=candidate.pk)
                _event(ticket, VisitEvent.Kind.CALLED, now, window=window, staff=staff)
                return ticket


def ticket_recall(
    *, ticket: Ticket, window: Window, staff: StaffUser | None, now: datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    return _transition(
        ticket,
        window=window,
        expected=[Ticket.Status.CALLED],
        kind=VisitEvent.Kind.RECALLED,
        staff=staff,
        now=now,
        changes={"last_called_at": now, "call_count": F("call_count") + 1},
    )


def ticket_start(
    *, ticket: Ticket, window: Window, staff: StaffUser | None, now: datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    return _transition(
        ticket,
        window=window,
        expected=[Ticket.Status.CALLED],
        kind=VisitEvent.Kind.STARTED,
        staff=staff,
        now=now,
        changes={"status": Ticket.Status.SERVING, "started_at": now},
    )


def ticket_finish(
    *, ticket: Ticket, window: Window, staff: StaffUser | None, now: datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    return _transition(
        ticket,
        window=window,
        expected=[Ticket.Status.SERVING, Ticket.Status.CALLED],
        kind=VisitEvent.Kind.FINISHED,
        staff=staff,
        now=now,
        changes={"status": Ticket.Status.FINISHED, "finished_at": now},
    )


def ticket_no_show(
    *, ticket: Ticket, window: Window, staff: StaffUser | None, now: datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    return _transition(
        ticket,
        window=window,
        expected=[Ticket.Status.CALLED],
        kind=VisitEvent.Kind.NO_SHOW,
        staff=staff,
        now=now,
        changes={"status": Ticket.Status.NO_SHOW, "finished_at": now},
    )


def ticket_transfer(
    *,
    ticket: Ticket,
    window: Window,
    to_service: Service,
    staff: StaffUser | None,
    now: datetime | None = None,
) -> Ticket:
    """Send the visitor to another service's queue, keeping their place by arrival time."""
    now = now or timezone.now()
    if to_service.municipality_id != window.municipality_id:
        raise ValueError("service of another municipality")
    return _transition(
        ticket,
        window=window,
        expected=[Ticket.Status.CALLED, Ticket.Status.SERVING],
        kind=VisitEvent.Kind.TRANSFERRED,
        staff=staff,
        now=now,
        to_service=to_service,
        changes={
            "status": Ticket.Status.WAITING,
            "service": to_service,
            "window": None,
            "booked_for": None,
            "started_at": None,
        },
    )


@transaction.atomic
def kiosk_key_rotate(*, municipality: Municipality) -> ReservationPolicy:
    """A new secret kiosk key (the old kiosk URL stops working at once)."""
    policy = ReservationPolicy.objects.for_municipality(
        municipality
    ).select_for_update().first() or ReservationPolicy(municipality=municipality)
    policy.kiosk_key = new_kiosk_key()
    policy.full_clean()
    policy.save()
    return policy


# --- The hall's configuration (staff pages for the municipality administrator) ----------------


@transaction.atomic
def opening_hours_set(
    *, municipality: Municipality, periods: dict[int, tuple[time, time] | None]
) -> None:
    """Replace the weekly opening hours: one period per weekday, None for a closed weekday."""
    OpeningHours.objects.filter(municipality=municipality).delete()
    for weekday, period in sorted(periods.items()):
        if period is None:
            continue
        opens, closes = period
        hours = OpeningHours(municipality=municipality, weekday=weekday, opens=opens, closes=closes)
        hours.full_clean()
        hours.save()


def calendar_exception_delete(*, municipality: Municipality, exception_id: int) -> None:
    """Remove a closed day or special day (404 for another municipality's)."""
    access_tenant_object(CalendarException, municipality=municipality, pk=exception_id).delete()
