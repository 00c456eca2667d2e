"""Counter mode over HTTP (no JavaScript): scan → edit → verify → confirm → application, the
interview style with the card hand-off and the postal look-up, timings, refusals."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application, ApplicationEvent, Channel
from madoguchi.core.models import AuditEvent
from madoguchi.counter import services
from madoguchi.counter.models import CounterCase, CounterEvent
from madoguchi.counter.tests.counter_forms import POSTED, PREFILLED, counter_form_version
from madoguchi.counter.tests.factories import PreInputSettingFactory
from madoguchi.reservations.models import Ticket
from madoguchi.reservations.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

SECRETS = ["雲母坂", "紗和子", "キララザカ", "1975-04-01", "霞が関", "窓口信用金庫", "髙橋", "𠮷子"]
CARD = {
    "name": "髙橋　𠮷子",
    "address": "北海道札幌市中央区北１条西２丁目１番地",
    "birth_date": "1955-12-31",
    "sex": "2",
}


@pytest.fixture
def version():
    version = counter_form_version()
    PreInputSettingFactory(municipality=version.procedure.municipality)
    return version


@pytest.fixture
def clerk(version):
    return StaffUserFactory(municipality=version.procedure.municipality, counter=True)


def _scan(client, version, clerk, answers=PREFILLED):
    issued = services.preinput_issue(
        procedure=version.procedure, form_version=version, answers=answers
    )
    client.force_login(clerk)
    response = client.post("/staff/counter/scan/", {"code": issued.qr_texts[0] + "\r\n"})
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def test_scan_edit_verify_confirm_becomes_a_counter_application(client, version, clerk, caplog):
    caplog.set_level(logging.DEBUG)
    case_url = _scan(client, version, clerk)
    case = CounterCase.objects.get()
    assert case_url == f"/staff/counter/cases/{case.pk}/"
    page = client.get(case_url).content.decode()
    # The pre-filled form, editable: the same engine's inputs with the resident's answers.
    assert 'value="雲母坂"' in page and 'name="address__street"' in page
    assert "カードから読み込む" in page
    assert 'name="account_document"' not in page  # documents are shown, not uploaded
    assert AuditEvent.objects.filter(object_type="counter.countercase").exists()

    # Staff correct the street and complete without saying what they checked: refused.
    posted = {**POSTED, "address__street": "霞が関2-1-1", "_action": "complete"}
    response = client.post(case_url, posted)
    assert response.status_code == 400
    assert "本人確認に使った書類を選んでください" in response.content.decode()
    response = client.post(
        case_url,
        {**posted, "identity_document": "driver_licence", "verified": ["name", "address"]},
    )
    assert response.status_code == 302
    confirm = response["Location"]
    assert confirm == f"/staff/counter/cases/{case.pk}/confirm/"
    page = client.get(confirm).content.decode()
    assert "申請内容のご確認" in page and "霞が関2-1-1" in page and "この内容で申請する" in page

    response = client.post(confirm)
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    application = Application.objects.get()
    assert application.channel == Channel.COUNTER
    assert application.answers["address"]["street"] == "霞が関2-1-1"
    assert application.applicant_name.startswith("雲母坂")
    assert application.receipt_number in done
    event = ApplicationEvent.objects.get(application=application)
    assert "運転免許証" in event.internal_note and "氏名・住所" in event.internal_note
    case.refresh_from_db()
    assert case.status == "completed" and case.answers == {} and case.application == application
    # A second confirmation changes nothing.
    client.post(confirm)
    assert Application.objects.count() == 1

    pdf = client.get(f"/staff/counter/applications/{application.pk}/print/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    kinds = list(CounterEvent.objects.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["scan", "completed", "confirmed", "printed"]
    assert all(CounterEvent.objects.values_list("with_preinput", flat=True))
    for record in caplog.records:
        logged = record.getMessage() + repr(record.args)
        for secret in SECRETS:
            assert secret not in logged, (record.name, logged)


def test_interview_with_card_hand_off_and_postal_look_up(client, version, clerk):
    town = version.procedure.municipality
    station, token = services.counter_station_issue(municipality=town, name="3番窓口")
    client.force_login(clerk)
    assert client.get("/staff/counter/").status_code == 200
    client.post("/staff/counter/station/", {"station": station.pk})
    body = json.dumps({"attributes": CARD, "authenticity": "verified"}, ensure_ascii=False)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = "/api/v1/counter/card-reads"
    # No form open at this station yet: the agent is told so.
    assert client.post(api, body, content_type="application/json", **auth).status_code == 409
    response = client.post("/staff/counter/new/", {"procedure": version.procedure.slug})
    case = CounterCase.objects.get()
    assert response["Location"] == f"/staff/counter/cases/{case.pk}/"
    assert case.source == "interview" and case.station == station

    wrong = {"HTTP_AUTHORIZATION": "Bearer not-a-station"}
    assert client.post(api, body, content_type="application/json", **wrong).status_code == 401
    assert client.post(api, body, content_type="application/json").status_code == 401
    assert client.post(api, body, content_type="application/json", **auth).status_code == 204

    response = client.post(case_url := response["Location"], {"_action": "card"})
    assert response.status_code == 302
    page = client.get(case_url).content.decode()
    assert "カードから3項目を読み込みました" in page
    assert 'value="髙橋"' in page and 'value="𠮷子"' in page
    assert "昭和30年12月31日" in page
    assert "札幌市中央区" in page
    case.refresh_from_db()
    assert case.card_attributes is None  # taken in, then forgotten
    assert case.identity_document == "my_number_card"
    assert case.verified_fields == ["name", "address", "birth_date"]
    assert case.answers["name"]["family_kana"]  # a reading suggested for staff to confirm
    # Taken once: a second press finds nothing waiting.
    client.post(case_url, {"_action": "card"})
    assert "届いていません" in client.get(case_url).content.decode()

    # The postal look-up fills the address without typing it.
    response = client.post(case_url, {"postal_code": "1000013", "_action": "postal:postal_code"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="東京都"' in page and 'value="千代田区"' in page and "霞が関" in page
    assert CounterEvent.objects.filter(kind="card_read", with_preinput=False).count() == 1
    assert CounterEvent.objects.filter(kind="opened").count() == 1


def test_a_revoked_station_or_a_stale_form_gets_nothing(client, version, clerk):
    town = version.procedure.municipality
    station, token = services.counter_station_issue(municipality=town, name="1番窓口")
    case = services.counter_case_open(
        staff=clerk,
        procedure=version.procedure,
        form_version=version,
        station=station,
    )
    later = timezone.now() + timedelta(minutes=services.OPEN_FORM_MINUTES + 1)
    with pytest.raises(services.CardHandoffRefused) as refused:
        services.counter_card_handoff(token=token, attributes=CARD, now=later)
    assert refused.value.status == 409
    services.counter_card_handoff(token=token, attributes=CARD)
    # Not taken in within five minutes: forgotten.
    case.refresh_from_db()
    too_late = timezone.now() + timedelta(seconds=services.CARD_HANDOFF_SECONDS + 1)
    assert services.counter_card_take(case=case, now=too_late) == []
    station.revoked_at = timezone.now()
    station.save()
    with pytest.raises(services.CardHandoffRefused) as refused:
        services.counter_card_handoff(token=token, attributes=CARD)
    assert refused.value.status == 401


def test_the_visit_ticket_being_served_is_linked(client, version, clerk):
    town = version.procedure.municipality
    now = timezone.now()
    ticket = Ticket.objects.create(
        municipality=town,
        service=ServiceFactory(municipality=town),
        series="A",
        day=timezone.localdate(),
        number=12,
        status=Ticket.Status.SERVING,
        staff=clerk,
        issued_at=now,
        queued_at=now,
        called_at=now,
        started_at=now,
    )
    _scan(client, version, clerk)
    case = CounterCase.objects.get()
    assert case.visit_ticket_id == ticket.pk
    client.post(
        f"/staff/counter/cases/{case.pk}/",
        {**POSTED, "identity_document": "passport", "_action": "complete"},
    )
    client.post(f"/staff/counter/cases/{case.pk}/confirm/")
    assert Application.objects.get().visit_ticket_id == ticket.pk


def test_another_municipality_cannot_reach_a_case(client, version, clerk):
    _scan(client, version, clerk)
    case = CounterCase.objects.get()
    other = StaffUserFactory(counter=True)
    client.force_login(other)
    for suffix in ("", "confirm/", "done/"):
        assert client.get(f"/staff/counter/cases/{case.pk}/{suffix}").status_code == 404
    assert client.post(f"/staff/counter/cases/{case.pk}/abandon/").status_code == 404
    client.force_login(StaffUserFactory(municipality=version.procedure.municipality))
    assert client.get(f"/staff/counter/cases/{case.pk}/").status_code == 403  # back office


def test_abandon_empties_the_case(client, version, clerk):
    _scan(client, version, clerk)
    case = CounterCase.objects.get()
    response = client.post(f"/staff/counter/cases/{case.pk}/abandon/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "abandoned" and case.answers == {}
    assert client.get(f"/staff/counter/cases/{case.pk}/").status_code == 410


def test_confirmation_needs_the_staff_to_complete_first(client, version, clerk):
    _scan(client, version, clerk)
    case = CounterCase.objects.get()
    response = client.post(f"/staff/counter/cases/{case.pk}/confirm/")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/counter/cases/{case.pk}/"
    assert not Application.objects.exists()


def test_the_booking_confirmation_carries_the_pre_input_qr_code(client):
    from madoguchi.counter.preinput import qr as qr_codes
    from madoguchi.counter.tests.factories import preinput_form_version
    from madoguchi.counter.tests.test_preinput_journey import _journey
    from madoguchi.reservations.tests.factories import hall, working_day

    town, service, _windows = hall(windows=1)
    version = preinput_form_version(procedure__municipality=town, procedure__booking=True)
    PreInputSettingFactory(municipality=town)
    service.procedures.add(version.procedure)
    urls = _journey(client, version)
    result = client.get(urls[-1]).content.decode()
    assert f"/{town.code}/reserve/?procedure={version.procedure.slug}" in result
    slots = client.get(f"/{town.code}/reserve/?procedure={version.procedure.slug}")
    assert slots["Location"] == f"/{town.code}/reserve/services/{service.pk}/"
    day = working_day(timezone.localdate())
    start = f"{day:%Y-%m-%d}T10:00"
    book = f"/{town.code}/reserve/services/{service.pk}/book/"
    page = client.get(f"{book}?start={start}").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    done = client.post(
        book,
        {"start": start, "token": token.group(1), "name": "窓口 花子", "phone": "090-1234-5678"},
        follow=True,
    ).content.decode()
    assert "予約を受け付けました" in done and "事前入力のQRコード" in done
    assert version.procedure.display_name in done
    # The code shown is the pre-input's own (token mode: no answer in it).
    texts = [
        t for n in (1,) for t in qr_codes.decode_image(client.get(f"{urls[-1]}qr-{n}.png").content)
    ]
    assert texts[0].startswith(f"PT1.{town.code}.")
    assert done.count("<svg") >= 1


def test_card_reads_are_limited_per_counter_station(client, version, clerk, settings):
    """A looping agent or a stolen station token meets the limit; another counter PC does not."""
    settings.RATE_LIMITS = {"counter.card_read.station": (3, 600)}
    town = version.procedure.municipality
    station, token = services.counter_station_issue(municipality=town, name="3番窓口")
    _other, other_token = services.counter_station_issue(municipality=town, name="4番窓口")
    services.counter_case_open(
        staff=clerk, procedure=version.procedure, form_version=version, station=station
    )
    body = json.dumps({"attributes": CARD}, ensure_ascii=False)
    api = "/api/v1/counter/card-reads"

    def post(bearer):
        return client.post(
            api, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}"
        )

    assert [post(token).status_code for _ in range(4)] == [204, 204, 204, 429]
    refused = post(token)
    assert refused.status_code == 429 and "しばらく待って" in refused.json()["detail"]
    # Per station, not per address: the PC next to it still hands off (409: no form open there).
    assert post(other_token).status_code == 409
    # A bad token is refused before anything is counted.
    assert post("not-a-station").status_code == 401


@pytest.mark.parametrize("mode", ["token", "payload"])
def test_the_booking_confirmation_mail_carries_the_token_qr_code_only(
    client, mode, mailoutbox, django_capture_on_commit_callbacks
):
    """Token mode: one PNG attachment that decodes (zxing-cpp) to the same token as the result
    page's code; payload mode: nothing attached (the answers must not travel by mail)."""
    from madoguchi.counter.preinput import qr as qr_codes
    from madoguchi.counter.tests.factories import preinput_form_version
    from madoguchi.counter.tests.test_preinput_journey import SECRETS as ANSWERED
    from madoguchi.counter.tests.test_preinput_journey import _journey
    from madoguchi.notifications.models import Notification
    from madoguchi.reservations.tests.factories import hall, working_day

    town, service, _windows = hall(windows=1)
    version = preinput_form_version(procedure__municipality=town, procedure__booking=True)
    PreInputSettingFactory(municipality=town, mode=mode)
    service.procedures.add(version.procedure)
    urls = _journey(client, version)
    shown = qr_codes.decode_image(client.get(f"{urls[-1]}qr-1.png").content)
    day = working_day(timezone.localdate())
    start = f"{day:%Y-%m-%d}T10:00"
    book = f"/{town.code}/reserve/services/{service.pk}/book/"
    page = client.get(f"{book}?start={start}").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            book,
            {"start": start, "token": token, "name": "窓口 花子", "email": "hanako@example.jp"},
        )
    assert response.status_code == 302
    (mail,) = mailoutbox
    if mode == "payload":
        assert mail.attachments == []
        assert "事前入力のQRコードを添付しました" not in mail.body
        return
    (attachment,) = mail.attachments
    name, content, content_type = attachment
    assert (name, content_type) == ("preinput-qr-1.png", "image/png")
    assert qr_codes.decode_image(content) == shown
    assert shown[0].startswith(f"PT1.{town.code}.")
    assert "事前入力のQRコードを添付しました" in mail.body
    for secret in ANSWERED:
        assert secret not in mail.body and secret not in name
    # Sent: the sealed token is erased from the notification row.
    assert Notification.objects.get().sealed == ""
