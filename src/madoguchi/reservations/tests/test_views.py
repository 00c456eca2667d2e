from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.reservations import codes, selectors, services
from madoguchi.reservations.models import Booking, ReservationPolicy, Service, Ticket, VisitEvent

from .factories import ServiceFactory, at, hall, open_today_all_day, working_day

pytestmark = pytest.mark.django_db

SLOT_FULL = "この時間枠は満員になりました。別の時間を選んでください。"


def r(name: str, municipality: Any, **kwargs: Any) -> str:
    return reverse(
        f"reservations:{name}", kwargs={"municipality_code": municipality.code, **kwargs}
    )


def _start_value(day: Any, hour: int, minute: int = 0) -> str:
    return f"{day:%Y-%m-%d}T{hour:02d}:{minute:02d}"


def _book_form(client: Client, municipality: Any, service: Any, start: str) -> dict[str, str]:
    page = client.get(r("book", municipality, service_id=service.pk) + f"?start={start}")
    assert page.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode())
    assert token
    return {"start": start, "token": token.group(1), "name": "窓口 花子", "phone": "090-1234-5678"}


def test_resident_books_a_visit_and_gets_code_qr_and_ics(client: Client) -> None:
    municipality, service, _ = hall(windows=2)
    day = working_day(timezone.localdate())
    assert client.get(r("start", municipality)).status_code == 200
    dates = client.get(r("slots", municipality, service_id=service.pk) + f"?from={day}")
    assert dates.status_code == 200 and f"?day={day}" in dates.content.decode()
    slots = client.get(r("slots", municipality, service_id=service.pk) + f"?day={day}")
    assert slots.status_code == 200
    start = _start_value(day, 10)
    assert start in slots.content.decode()
    data = _book_form(client, municipality, service, start)
    data["email"] = "hanako@example.jp"
    done = client.post(r("book", municipality, service_id=service.pk), data, follow=True)
    assert done.status_code == 200
    booking = Booking.objects.get()
    html = done.content.decode()
    assert booking.display_code in html
    assert codes.secret_for(submission_token=data["token"]) in html
    qr = client.get(r("qr", municipality, code=booking.code))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert "窓口" not in qr.content.decode()  # the QR carries the code only
    ics = client.get(r("ics", municipality, code=booking.code)).content.decode()
    assert "BEGIN:VEVENT" in ics and booking.display_code in ics and "花子" not in ics
    # A double click: the same form again shows the same booking, nothing new is booked.
    again = client.post(r("book", municipality, service_id=service.pk), data, follow=True)
    assert booking.display_code in again.content.decode()
    assert Booking.objects.count() == 1


def test_booking_form_errors_are_tied_to_fields(client: Client) -> None:
    municipality, service, _ = hall()
    day = working_day(timezone.localdate())
    data = _book_form(client, municipality, service, _start_value(day, 10))
    data.update(name="", phone="12345")
    page = client.post(r("book", municipality, service_id=service.pk), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "お名前を入力してください。" in html
    assert 'aria-invalid="true"' in html
    assert not Booking.objects.exists()


def test_slot_filled_while_the_form_was_open_gets_a_clear_message(client: Client) -> None:
    municipality, service, _ = hall(windows=1)
    day = working_day(timezone.localdate())
    start = _start_value(day, 10)
    data = _book_form(client, municipality, service, start)
    services.booking_create(
        municipality=municipality,
        service=service,
        start=at(day, 10),
        name="先 客",
        phone="090-0000-0000",
        submission_token="other",
    )
    page = client.post(r("book", municipality, service_id=service.pk), data)
    assert page.status_code == 409
    assert SLOT_FULL in page.content.decode()
    assert Booking.objects.count() == 1
    # Opening the form for that slot again says so before anything is typed.
    again = client.get(r("book", municipality, service_id=service.pk) + f"?start={start}")
    assert again.status_code == 200 and SLOT_FULL in again.content.decode()


def test_past_and_closed_slots_are_refused(client: Client) -> None:
    municipality, service, _ = hall()
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    data = _book_form(client, municipality, service, _start_value(yesterday, 10))
    page = client.post(r("book", municipality, service_id=service.pk), data)
    assert page.status_code == 409
    assert "もう予約できません" in page.content.decode()
    day = working_day(timezone.localdate())
    data = _book_form(client, municipality, service, _start_value(day, 20))
    page = client.post(r("book", municipality, service_id=service.pk), data)
    assert "閉庁日または受付時間外" in page.content.decode()
    garbage = _book_form(client, municipality, service, _start_value(day, 10))
    garbage["start"] = "not-a-date"
    assert client.post(r("book", municipality, service_id=service.pk), garbage).status_code == 404
    assert not Booking.objects.exists()


def test_find_change_and_cancel_by_code_and_secret(client: Client) -> None:
    municipality, service, _ = hall(windows=1)
    day = working_day(timezone.localdate())
    result = services.booking_create(
        municipality=municipality,
        service=service,
        start=at(day, 10),
        name="窓口 花子",
        phone="090-1234-5678",
        submission_token="tok",
    )
    code = result.booking.code
    # Without the secret, nothing about the booking is shown.
    assert client.get(r("manage", municipality, code=code)).status_code == 404
    assert client.get(r("qr", municipality, code=code)).status_code == 404
    wrong = client.post(r("find", municipality), {"code": code, "secret": "999999x"})
    assert wrong.status_code == 400 and "違います" in wrong.content.decode()
    forged = client.post(r("find", municipality), {"code": "ZZZZ-ZZZZ", "secret": result.secret})
    assert forged.status_code == 400
    found = client.post(
        r("find", municipality),
        {"code": result.booking.display_code.lower(), "secret": result.secret},
    )
    assert found.status_code == 302
    page = client.get(found["Location"])
    assert page.status_code == 200 and "10:00" in page.content.decode()
    # Moving and cancelling ask first: the GET pages change nothing.
    confirm = client.get(
        r("manage_change", municipality, code=code) + f"?start={_start_value(day, 11)}"
    )
    assert confirm.status_code == 200 and "この日時に変更する" in confirm.content.decode()
    assert client.get(r("manage_cancel", municipality, code=code)).status_code == 200
    assert timezone.localtime(Booking.objects.get().start).hour == 10
    assert Booking.objects.get().status == Booking.Status.BOOKED
    moved = client.post(
        r("manage_change", municipality, code=code), {"start": _start_value(day, 11)}
    )
    assert moved.status_code == 302
    assert timezone.localtime(Booking.objects.get().start).hour == 11
    assert "予約の日時を変更しました" in client.get(moved["Location"]).content.decode()
    cancelled = client.post(r("manage_cancel", municipality, code=code), follow=True)
    assert "予約を取り消しました" in cancelled.content.decode()
    assert Booking.objects.get().status == Booking.Status.CANCELLED
    again = client.post(r("manage_cancel", municipality, code=code))
    assert again.status_code == 409 and "すでに取り消されています" in again.content.decode()


def test_kiosk_issues_tickets_and_checks_in(client: Client) -> None:
    municipality, service, _ = hall()
    open_today_all_day(municipality)
    key = ReservationPolicy.objects.get(municipality=municipality).kiosk_key
    assert client.get(r("kiosk", municipality, key="wrong")).status_code == 404
    page = client.get(r("kiosk", municipality, key=key))
    assert page.status_code == 200 and service.name in page.content.decode()
    issued = client.post(
        r("kiosk_issue", municipality, key=key), {"service": service.pk}, follow=True
    )
    assert "A001" in issued.content.decode()
    second = client.post(
        r("kiosk_issue", municipality, key=key), {"service": service.pk}, follow=True
    )
    assert "A002" in second.content.decode() and "前に1人" in second.content.decode()
    bad = client.post(r("kiosk_checkin", municipality, key=key), {"code": "NOPE-NOPE"})
    assert bad.status_code == 400 and "予約番号が見つかりません" in bad.content.decode()


def test_kiosk_check_in_of_todays_booking(client: Client) -> None:
    municipality, service, _ = hall()
    open_today_all_day(municipality)
    key = ReservationPolicy.objects.get(municipality=municipality).kiosk_key
    day = working_day(timezone.localdate())
    result = services.booking_create(
        municipality=municipality,
        service=service,
        start=at(day, 10),
        name="予約 太郎",
        phone="090-0000-1111",
        submission_token="k",
    )
    other_day = client.post(
        r("kiosk_checkin", municipality, key=key), {"code": result.booking.code}
    )
    assert other_day.status_code == 400 and "本日の予約ではありません" in other_day.content.decode()


def test_display_and_board_show_calls_and_waits(client: Client) -> None:
    municipality, service, windows = hall(windows=2)
    services.ticket_issue(municipality=municipality, service=service)
    services.ticket_issue(municipality=municipality, service=service)
    before = client.get(r("display_json", municipality)).json()
    services.ticket_call_next(window=windows[0], staff=None)
    state = client.get(r("display_json", municipality)).json()
    assert state["version"] > before["version"]
    assert state["calls"][0]["number"] == "A001" and state["calls"][0]["window"] == windows[0].label
    page = client.get(r("display", municipality))
    assert page.status_code == 200 and "A001" in page.content.decode()
    board = client.get(r("board_json", municipality))
    assert board["Access-Control-Allow-Origin"] == "*"
    assert board.json()["services"][0]["waiting"] == 1
    assert client.get(r("board", municipality)).status_code == 200
    assert "Now calling" in page.content.decode()


def test_display_stream_sends_state(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from madoguchi.reservations.views import hall as hall_views

    monkeypatch.setattr(hall_views, "STREAM_SECONDS", 0.01)
    municipality, service, _ = hall()
    services.ticket_issue(municipality=municipality, service=service)
    response = client.get(r("display_stream", municipality))
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "text/event-stream"
    assert "event: state" in body and '"version"' in body


def test_slots_json(client: Client) -> None:
    municipality, service, _ = hall()
    day = working_day(timezone.localdate())
    data = client.get(
        r("slots_json", municipality, service_id=service.pk) + f"?from={day}&days=3"
    ).json()
    assert data["days"][0]["slots"][0]["free"] == 3


def _console_client(municipality: Any, **traits: Any) -> Client:
    user = StaffUserFactory(municipality=municipality, **traits)
    client = Client()
    client.force_login(user)
    return client


def test_console_calls_starts_finishes_transfers_and_marks_no_show() -> None:
    municipality, service, windows = hall(windows=2)
    other = ServiceFactory(municipality=municipality, series="B")
    client = _console_client(municipality, counter=True)
    url = reverse("reservations_staff:console_action", kwargs={"window_id": windows[0].pk})
    for _ in range(3):
        services.ticket_issue(municipality=municipality, service=service)
    assert client.get(reverse("reservations_staff:home")).status_code == 200
    assert client.get(reverse("reservations_staff:bookings")).status_code == 200
    page = client.get(reverse("reservations_staff:console", kwargs={"window_id": windows[0].pk}))
    assert page.status_code == 200 and "次の方を呼ぶ" in page.content.decode()
    fragment = client.post(url, {"action": "call"}, headers={"X-Console": "1"})
    assert "A001" in fragment.content.decode()
    first = Ticket.objects.get(number=1)
    client.post(url, {"action": "recall", "ticket": first.pk})
    client.post(url, {"action": "start", "ticket": first.pk})
    client.post(url, {"action": "finish", "ticket": first.pk})
    client.post(url, {"action": "call"})
    second = Ticket.objects.get(number=2)
    client.post(url, {"action": "no_show", "ticket": second.pk})
    client.post(url, {"action": "call"})
    third = Ticket.objects.get(number=3)
    client.post(url, {"action": "transfer", "ticket": third.pk, "service": other.pk})
    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert statuses == {1: "finished", 2: "no_show", 3: "waiting"}
    assert Ticket.objects.get(number=3).service == other
    kinds = list(VisitEvent.objects.filter(ticket=first).values_list("kind", flat=True))
    assert kinds == ["issued", "called", "recalled", "started", "finished"]
    state = client.get(
        reverse("reservations_staff:console_state", kwargs={"window_id": windows[0].pk})
    )
    assert state.status_code == 200
    stale = client.post(url, {"action": "start", "ticket": first.pk}, follow=True)
    assert "状態が変わりました" in stale.content.decode()


def test_console_requires_a_counter_role() -> None:
    municipality, _service, windows = hall()
    url = reverse("reservations_staff:console", kwargs={"window_id": windows[0].pk})
    assert Client().get(url).status_code == 302  # to the login page
    back_office = _console_client(municipality)
    assert back_office.get(url).status_code == 403


def test_staff_of_one_municipality_get_404_for_anothers_rows() -> None:
    town_a, service_a, windows_a = hall()
    town_b, service_b, windows_b = hall()
    ticket_b = services.ticket_issue(municipality=town_b, service=service_b)
    client = _console_client(town_a, counter=True)
    for name in ("console", "console_state"):
        url = reverse(f"reservations_staff:{name}", kwargs={"window_id": windows_b[0].pk})
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("reservations_staff:console_action", kwargs={"window_id": windows_b[0].pk}),
            {"action": "call"},
        ).status_code
        == 404
    )
    own = reverse("reservations_staff:console_action", kwargs={"window_id": windows_a[0].pk})
    assert client.post(own, {"action": "start", "ticket": ticket_b.pk}).status_code == 404
    services.ticket_issue(municipality=town_a, service=service_a)
    client.post(own, {"action": "call"})
    mine = Ticket.objects.get(municipality=town_a)
    assert (
        client.post(
            own, {"action": "transfer", "ticket": mine.pk, "service": service_b.pk}
        ).status_code
        == 404
    )
    assert Ticket.objects.get(pk=ticket_b.pk).status == Ticket.Status.WAITING


def test_resident_urls_never_reach_another_municipality(client: Client) -> None:
    town_a, _service_a, _ = hall()
    town_b, service_b, _ = hall()
    open_today_all_day(town_a)
    key_a = ReservationPolicy.objects.get(municipality=town_a).kiosk_key
    key_b = ReservationPolicy.objects.get(municipality=town_b).kiosk_key
    ticket_b = services.ticket_issue(municipality=town_b, service=service_b)
    day = working_day(timezone.localdate())
    booking_b = services.booking_create(
        municipality=town_b,
        service=service_b,
        start=at(day, 10),
        name="B 住民",
        phone="090-2222-3333",
        submission_token="b",
    )
    assert client.get(r("slots", town_a, service_id=service_b.pk)).status_code == 404
    assert client.get(r("book", town_a, service_id=service_b.pk) + "?start=x").status_code == 404
    assert client.get(r("slots_json", town_a, service_id=service_b.pk)).status_code == 404
    assert client.get(r("kiosk", town_a, key=key_b)).status_code == 404
    assert (
        client.get(r("kiosk_ticket", town_a, key=key_a, ticket_id=ticket_b.pk)).status_code == 404
    )
    assert (
        client.post(r("kiosk_issue", town_a, key=key_a), {"service": service_b.pk}).status_code
        == 404
    )
    checkin = client.post(r("kiosk_checkin", town_a, key=key_a), {"code": booking_b.booking.code})
    assert checkin.status_code == 400
    found = client.post(
        r("find", town_a), {"code": booking_b.booking.code, "secret": booking_b.secret}
    )
    assert found.status_code == 400
    assert client.get(r("manage", town_a, code=booking_b.booking.code)).status_code == 404
    state = client.get(r("display_json", town_a)).json()
    assert state["calls"] == [] and all(s["waiting"] == 0 for s in state["services"])
    assert selectors.booking_by_code(municipality=town_a, code=booking_b.booking.code) is None


def test_reminder_command_is_idempotent() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("reservations_send_reminders", stdout=out)
    call_command("reservations_send_reminders", stdout=out)
    assert out.getvalue().count("reminders sent: 0") == 2


def test_demo_command_builds_a_hall() -> None:
    from django.core.management import call_command

    from madoguchi.reservations.models import Service, Window
    from madoguchi.tenancy.tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory()
    call_command("reservations_demo", municipality.code)
    call_command("reservations_demo", municipality.code)
    assert Service.objects.filter(municipality=municipality).count() == 4
    assert Window.objects.filter(municipality=municipality).count() == 6
    call_command("reservations_demo", "131016", "--create", "--windows", "10", "--services", "5")
    assert Window.objects.filter(municipality__code="131016").count() == 10


def test_what_to_bring_comes_from_the_chosen_procedures(client: Client) -> None:
    from madoguchi.procedures.models import Procedure

    municipality, service, _ = hall()
    procedure = Procedure.objects.create(
        municipality=municipality,
        slug="juminhyo",
        name="住民票の写しの交付",
        booking=True,
        is_published=True,
        what_to_bring="本人確認書類（マイナンバーカードなど）\n手数料 300円",
    )
    service.procedures.add(procedure)
    assert client.get(r("start", municipality) + "?procedure=juminhyo").status_code == 302
    day = working_day(timezone.localdate())
    data = _book_form(client, municipality, service, _start_value(day, 10))
    data["procedures"] = str(procedure.pk)
    done = client.post(r("book", municipality, service_id=service.pk), data, follow=True)
    html = done.content.decode()
    assert "本人確認書類（マイナンバーカードなど）" in html and "手数料 300円" in html
    assert list(Booking.objects.get().procedures.all()) == [procedure]


def test_admin_pages_render_for_a_superuser(client: Client, admin_user: Any) -> None:
    municipality, service, windows = hall()
    services.ticket_issue(municipality=municipality, service=service)
    client.force_login(admin_user)
    for model in (
        "reservationpolicy",
        "calendarexception",
        "service",
        "window",
        "booking",
        "visitevent",
    ):
        assert client.get(reverse(f"admin:reservations_{model}_changelist")).status_code == 200
    for model in ("reservationpolicy", "calendarexception", "service", "window"):
        assert client.get(reverse(f"admin:reservations_{model}_add")).status_code == 200
    assert (
        client.get(reverse("admin:reservations_window_change", args=[windows[0].pk])).status_code
        == 200
    )


def test_manager_admin_is_scoped_and_explains_duplicates(client: Client) -> None:
    from django.contrib.auth.models import Permission

    town_a, service_a, _ = hall()
    _town_b, service_b, _ = hall()
    service_b.name = "よその町の業務"
    service_b.save()
    manager = StaffUserFactory(municipality=town_a, manager=True, is_staff=True)
    manager.user_permissions.set(Permission.objects.filter(content_type__app_label="reservations"))
    client.force_login(manager)
    listing = client.get(reverse("admin:reservations_service_changelist")).content.decode()
    assert service_a.name in listing and "よその町の業務" not in listing
    other = reverse("admin:reservations_service_change", args=[service_b.pk])
    assert client.get(other).status_code == 302  # the admin's "not found" redirect
    duplicate = client.post(
        reverse("admin:reservations_service_add"),
        {"name": "重複", "series": "A", "standard_minutes": 10, "sort_order": 1},
    )
    assert duplicate.status_code == 200
    assert "この記号はほかの業務で使われています。" in duplicate.content.decode()
    created = client.post(
        reverse("admin:reservations_service_add"),
        {"name": "新しい業務", "series": "Q", "standard_minutes": 10, "sort_order": 1},
    )
    assert created.status_code == 302
    assert Service.objects.get(series="Q").municipality == town_a


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(max_size=100),
    phone=st.text(max_size=40),
    email=st.text(max_size=60),
    start=st.text(max_size=30),
)
def test_hostile_booking_input_never_errors_or_double_books(
    client: Client, name: str, phone: str, email: str, start: str
) -> None:
    cache.clear()  # every example is a new client: the booking limit is tested in test_abuse
    municipality, service, _ = hall(windows=1)
    day = working_day(timezone.localdate())
    form = {"start": _start_value(day, 10), "token": codes.new_submission_token()}
    # Django's test client cannot send NUL or lone surrogates in form data; browsers don't either.
    clean = {
        k: v.replace("\x00", "").encode("utf-8", "replace").decode()
        for k, v in {"name": name, "phone": phone, "email": email}.items()
    }
    response = client.post(r("book", municipality, service_id=service.pk), {**form, **clean})
    assert response.status_code in (200, 302, 409)
    messy = client.post(
        r("book", municipality, service_id=service.pk),
        {
            **form,
            "start": start.replace("\x00", ""),
            "token": "x",
            "name": "a",
            "phone": "0901234567",
        },
    )
    assert messy.status_code in (200, 302, 404, 409)
    assert Booking.objects.filter(service=service).count() <= 1


def test_staff_lists_and_resident_actions_stay_in_their_municipality(client: Client) -> None:
    town_a, _service_a, _ = hall()
    town_b, service_b, _ = hall()
    open_today_all_day(town_a)
    day = working_day(timezone.localdate())
    b = services.booking_create(
        municipality=town_b,
        service=service_b,
        start=at(day, 10),
        name="よその 住民",
        phone="090-2222-4444",
        submission_token="bb",
    )
    staff = _console_client(town_a, counter=True)
    listing = staff.get(reverse("reservations_staff:bookings") + f"?date={day}")
    assert listing.status_code == 200 and "よその 住民" not in listing.content.decode()
    assert "よその" not in staff.get(reverse("reservations_staff:home")).content.decode()
    code = b.booking.code
    assert client.post(r("manage_cancel", town_a, code=code)).status_code == 404
    assert (
        client.post(
            r("manage_change", town_a, code=code), {"start": _start_value(day, 11)}
        ).status_code
        == 404
    )
    assert client.get(r("ics", town_a, code=code)).status_code == 404
    assert Booking.objects.get().status == Booking.Status.BOOKED
