"""Journeys (issue 11): bookings reachable from the catalogue, a date-first picker, confirmed
moves and cancellations with a mail carrying a manage link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.applications.tests.factories import ProcedureFactory
from madoguchi.notifications.models import Notification
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking

from .factories import at, hall, working_day

pytestmark = pytest.mark.django_db


def r(name: str, municipality: Any, **kwargs: Any) -> str:
    return reverse(
        f"reservations:{name}", kwargs={"municipality_code": municipality.code, **kwargs}
    )


def test_home_page_offers_booking_and_finding_a_booking(client: Client) -> None:
    municipality, _service, _ = hall()
    body = client.get(f"/{municipality.code}/").content.decode()
    assert f'href="{r("start", municipality)}"' in body and "来庁予約" in body
    assert f'href="{r("find", municipality)}"' in body and "予約の確認・変更" in body


def test_a_procedure_with_booking_links_to_booking_it(client: Client) -> None:
    municipality, service, _ = hall()
    bookable = ProcedureFactory(municipality=municipality, booking=True, online=False)
    online_only = ProcedureFactory(municipality=municipality, booking=False)
    service.procedures.add(bookable)
    page = client.get(f"/{municipality.code}/procedures/{bookable.slug}/").content.decode()
    link = f"{r('start', municipality)}?procedure={bookable.slug}"
    assert f'href="{link}"' in page
    # The link lands on that procedure's service: its date list.
    assert client.get(link)["Location"] == r("slots", municipality, service_id=service.pk)
    other = client.get(f"/{municipality.code}/procedures/{online_only.slug}/").content.decode()
    assert "?procedure=" not in other


def test_slot_picker_shows_dates_then_the_days_times(client: Client) -> None:
    municipality, service, _ = hall(windows=2)
    day = working_day(timezone.localdate())
    dates = client.get(r("slots", municipality, service_id=service.pk)).content.decode()
    # The date list: no time buttons, two weeks of days, a link per open day.
    assert "rs-slot" not in dates
    assert len(re.findall(r'class="rs-date"', dates)) >= 5
    assert f'href="?day={day:%Y-%m-%d}"' in dates
    times = client.get(r("slots", municipality, service_id=service.pk) + f"?day={day}")
    html = times.content.decode()
    assert f"?start={day:%Y-%m-%d}T10:00" in html
    assert "rs-date" not in html and len(html) < 60_000
    # A day outside the booking window falls back to the date list.
    far = client.get(r("slots", municipality, service_id=service.pk) + "?day=2999-01-01")
    assert "rs-date" in far.content.decode()


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a step and deliver the mails it queued (they go out when its transaction commits)."""

    def run(step: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def _booked(municipality: Any, service: Any, **extra: Any) -> services.BookingResult:
    day = working_day(timezone.localdate())
    return services.booking_create(
        municipality=municipality,
        service=service,
        start=at(day, 10),
        name="窓口 花子",
        phone="090-1234-5678",
        submission_token="tok",
        **extra,
    )


def _manage_link(message: Any) -> str:
    found = re.search(r"https?://\S+/bookings/[A-Z2-9]+/open/[0-9a-f]+/", message.body)
    assert found, message.body
    return "/" + found.group(0).split("://", 1)[1].split("/", 1)[1]


def test_mails_carry_a_manage_link_that_opens_the_booking(client: Client, sent: Any) -> None:
    municipality, service, _ = hall(windows=1)
    with_mail = sent(_booked, municipality, service, email="hanako@example.jp")
    assert len(mail.outbox) == 1
    link = _manage_link(mail.outbox[0])
    # Sealed at rest: neither the link nor the PIN is stored in clear.
    stored = Notification.objects.get()
    assert link.split("/open/")[1].strip("/") not in stored.sealed
    assert with_mail.secret not in stored.sealed
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Location"] == r("manage", municipality, code=with_mail.booking.code)
    assert client.get(opened["Location"]).status_code == 200
    # A changed token opens nothing.
    other = Client()
    broken = other.get(link[:-3] + "00/")
    assert broken.status_code == 404 and "このリンクは使えません" in broken.content.decode()
    assert other.get(r("manage", municipality, code=with_mail.booking.code)).status_code == 404


def test_moving_asks_then_mails_and_says_what_happened(client: Client, sent: Any) -> None:
    municipality, service, _ = hall(windows=1)
    result = sent(_booked, municipality, service, email="hanako@example.jp")
    code = result.booking.code
    client.get(_manage_link(mail.outbox[0]))
    day = working_day(timezone.localdate())
    new = f"{day:%Y-%m-%d}T11:00"
    # The picker in the change page links each time to a confirmation page.
    picker = client.get(r("manage_change", municipality, code=code) + f"?day={day}")
    assert f"?start={new}" in picker.content.decode()
    confirm = client.get(r("manage_change", municipality, code=code) + f"?start={new}")
    assert "この日時に変更しますか" in confirm.content.decode()
    assert len(mail.outbox) == 1 and Booking.objects.get().start == at(day, 10)
    moved = sent(
        client.post, r("manage_change", municipality, code=code), {"start": new}, follow=True
    )
    page = moved.content.decode()
    assert "予約の日時を変更しました" in page and "メールで送りました" in page
    assert Booking.objects.get().start == at(day, 11)
    changed = mail.outbox[-1]
    assert "日時を変更しました" in changed.subject
    assert "11:00" in changed.body and "10:00" in changed.body  # new and former times
    assert _manage_link(changed) == _manage_link(mail.outbox[0])  # the same link keeps working


def test_cancelling_asks_then_mails_and_says_what_happened(client: Client, sent: Any) -> None:
    municipality, service, _ = hall(windows=1)
    result = sent(_booked, municipality, service, email="hanako@example.jp")
    code = result.booking.code
    client.get(_manage_link(mail.outbox[0]))
    ask = client.get(r("manage_cancel", municipality, code=code))
    assert ask.status_code == 200 and "予約を取り消しますか" in ask.content.decode()
    assert Booking.objects.get().status == Booking.Status.BOOKED
    done = sent(client.post, r("manage_cancel", municipality, code=code), follow=True)
    assert "予約を取り消しました" in done.content.decode()
    assert "あらためて予約する" in done.content.decode()
    assert "取り消しました" in mail.outbox[-1].subject
    assert _manage_link(mail.outbox[-1])
    # Once cancelled, the confirmation pages lead back to the booking.
    assert client.get(r("manage_cancel", municipality, code=code)).status_code == 302


def test_without_email_nothing_is_mailed_and_the_page_does_not_claim_so(
    client: Client, sent: Any
) -> None:
    municipality, service, _ = hall(windows=1)
    result = _booked(municipality, service)
    session = client.session
    session["reservations:managed"] = [result.booking.code]
    session.save()
    done = sent(
        client.post, r("manage_cancel", municipality, code=result.booking.code), follow=True
    )
    assert "予約を取り消しました" in done.content.decode()
    assert "メールで送りました" not in done.content.decode()
    assert not mail.outbox


# --- Kiosk and display after hours ------------------------------------------------------------


def _kiosk(municipality: Any) -> str:
    from madoguchi.reservations.models import ReservationPolicy

    key = ReservationPolicy.objects.get(municipality=municipality).kiosk_key
    return r("kiosk", municipality, key=key)


def _closed_today(municipality: Any, note: str = "") -> None:
    from madoguchi.reservations.models import CalendarException

    CalendarException.objects.update_or_create(
        municipality=municipality,
        date=timezone.localdate(),
        defaults={"closed": True, "note": note},
    )


def test_hall_hours_knows_open_closed_and_the_next_opening() -> None:
    from datetime import timedelta

    from madoguchi.reservations import selectors

    municipality, _service, _ = hall()
    day = working_day(timezone.localdate())
    assert selectors.hall_hours(municipality=municipality, now=at(day, 10)).open_now
    evening = selectors.hall_hours(municipality=municipality, now=at(day, 18))
    assert not evening.open_now
    assert evening.next_opening == at(working_day(day), 8, 30)
    early = selectors.hall_hours(municipality=municipality, now=at(day, 7))
    assert early.next_opening == at(day, 8, 30)
    # A Friday evening: the next opening skips the weekend (and holidays).
    friday = day + timedelta(days=(4 - day.weekday()) % 7)
    after = selectors.hall_hours(municipality=municipality, now=at(friday, 20)).next_opening
    assert after is not None and after.weekday() < 5 and after.date() > friday


def test_kiosk_after_hours_issues_nothing_and_says_when_it_opens(client: Client) -> None:
    from madoguchi.reservations.models import Ticket

    municipality, service, _ = hall()
    _closed_today(municipality, note="臨時閉庁")
    page = client.get(_kiosk(municipality))
    body = page.content.decode()
    assert page.status_code == 200
    assert "ただいま受付時間外です" in body and "Reception is closed now" in body
    assert "次の受付開始" in body and 'id="next-opening-en">Opens ' in body
    assert "rs-kiosk__service" not in body and "kiosk_checkin" not in body
    # The server refuses too: a ticket posted from an old page or a script is not issued.
    issue = client.post(_kiosk(municipality) + "ticket/", {"service": service.pk})
    assert issue.status_code == 409 and "受付時間外" in issue.content.decode()
    checkin = client.post(_kiosk(municipality) + "checkin/", {"code": "ABCD-EFGH"})
    assert checkin.status_code == 409
    assert not Ticket.objects.exists()


def test_wait_estimates_say_closed_after_hours(client: Client) -> None:
    import json

    municipality, _service, _ = hall()
    _closed_today(municipality)
    board = client.get(r("board", municipality)).content.decode()
    assert "受付終了" in board and "約0分" not in board
    state = json.loads(client.get(r("display_json", municipality)).content)
    assert all(s["closed"] for s in state["services"])
    display = client.get(r("display", municipality)).content.decode()
    assert "受付終了" in display and "Closed" in display


def test_kiosk_open_is_bilingual_and_issues(client: Client) -> None:
    from .factories import open_today_all_day

    municipality, service, _ = hall()
    open_today_all_day(municipality)
    body = client.get(_kiosk(municipality), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "予約のある方" in body and "With a reservation" in body
    assert "人待ち" in body and "waiting" in body and "受付終了" not in body
    issued = client.post(_kiosk(municipality) + "ticket/", {"service": service.pk})
    assert issued.status_code == 302
