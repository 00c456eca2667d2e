"""Fees and payment: the amount before submitting, the record, paying by test card or at the
counter, refunds and waivers by staff, and who may see or change what."""

from __future__ import annotations

import csv
import io
import logging
import re

import pytest

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application, Draft, Payment, PaymentEvent
from madoguchi.applications.tests.factories import (
    ApplicationFactory,
    FormVersionFactory,
    back_office_user,
)
from madoguchi.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"

DEFINITION = {
    "title": "住民票の写しの請求",
    "steps": [
        {
            "key": "request",
            "title": "請求",
            "fields": [
                {"key": "copies", "type": "number", "label": "通数", "required": True, "max": 10},
                {
                    "key": "purpose",
                    "type": "choice",
                    "label": "使いみち",
                    "required": True,
                    "options": [
                        {"value": "pension", "label": "年金の手続"},
                        {"value": "other", "label": "その他"},
                    ],
                },
            ],
        }
    ],
    "fees": {
        "lines": [
            {
                "key": "copies",
                "label": "住民票の写し",
                "label_en": "Certificate of residence",
                "unit_price": 300,
                "quantity": "copies",
            }
        ],
        "exemption": {
            "when": {"field": "purpose", "equals": "pension"},
            "label": "年金の手続に使うため",
        },
    },
}


@pytest.fixture
def version():
    return FormVersionFactory(definition=DEFINITION)


def _submit(client, version, answers) -> Application:
    code, slug = version.procedure.municipality.code, version.procedure.slug
    assert client.post(f"/{code}/procedures/{slug}/apply/").status_code == 302
    draft = Draft.objects.get(submitted_application__isnull=True)
    draft.answers = answers
    draft.completed_steps = ["request"]
    draft.save()
    page = client.get(f"/{code}/apply/{slug}/check/")
    html = page.content.decode()
    assert 'id="fee-total">' + ("0円" if answers["purpose"] == "pension" else "") in html
    response = client.post(f"/{code}/apply/{slug}/check/")
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.latest("pk")


def test_the_check_page_shows_the_lines_and_total_before_submitting(client, version):
    code, slug = version.procedure.municipality.code, version.procedure.slug
    client.post(f"/{code}/procedures/{slug}/apply/")
    Draft.objects.update(answers={"copies": 3, "purpose": "other"}, completed_steps=["request"])
    html = client.get(f"/{code}/apply/{slug}/check/").content.decode()
    assert "住民票の写し" in html
    assert "300円" in html
    assert 'id="fee-total">900円<' in html
    # In English: the line's English label, the amount in yen.
    client.cookies["django_language"] = "en"
    html = client.get(f"/{code}/apply/{slug}/check/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Certificate of residence" in html


def test_an_exemption_by_answer_shows_the_lines_and_a_zero_total(client, version):
    application = _submit(client, version, {"copies": 2, "purpose": "pension"})
    payment = Payment.objects.get(application=application)
    assert (payment.amount, payment.status) == (0, "waived")
    html = client.get(f"/{version.procedure.municipality.code}/complete/").content.decode()
    assert "年金の手続に使うため" in html
    assert "支払う</button>" not in html


def test_no_fee_rule_makes_no_payment_record(client):
    application = ApplicationFactory()
    assert not Payment.objects.filter(application=application).exists()


def test_resident_pays_by_test_card_after_a_decline_and_a_repeat_changes_nothing(
    client, version, caplog
):
    caplog.set_level(logging.DEBUG)
    code = version.procedure.municipality.code
    application = _submit(client, version, {"copies": 2, "purpose": "other"})
    payment = Payment.objects.get(application=application)
    assert (payment.amount, payment.status) == (600, "unpaid")
    complete = client.get(f"/{code}/complete/").content.decode()
    assert 'id="fee-total">600円<' in complete and 'id="payment-status">未払い<' in complete
    started = client.post(f"/{code}/pay/", {"source": "complete", "provider": "test_card"})
    assert started.status_code == 302
    card_url = started["Location"]
    assert card_url.startswith(f"/{code}/pay/card/")
    page = client.get(card_url)
    assert page.status_code == 200 and "600円" in page.content.decode()

    declined = client.post(card_url, {"card_number": CARD_DECLINED, "card_cvc": "123"})
    assert declined.status_code == 400
    assert "このカードは使えませんでした" in declined.content.decode()
    assert CARD_DECLINED not in declined.content.decode()
    payment.refresh_from_db()
    assert payment.status == "unpaid"

    paid = client.post(card_url, {"card_number": CARD_OK, "card_cvc": "123"})
    assert paid.status_code == 302 and paid["Location"] == f"/{code}/pay/done/"
    again = client.post(card_url, {"card_number": CARD_OK, "card_cvc": "123"})
    assert again.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.provider) == ("paid", "test_card")
    assert payment.reference.startswith("test_")
    kinds = list(payment.events.values_list("kind", flat=True))
    assert kinds == ["charged", "checkout_started", "declined", "paid"]
    done = client.get(f"/{code}/pay/done/").content.decode()
    assert 'id="payment-status">支払済み<' in done
    # Never stored, never logged.
    digits = CARD_OK.replace(" ", "")
    for model in (Payment, PaymentEvent):
        for row in model.objects.values():
            assert digits not in str(row) and CARD_DECLINED.replace(" ", "") not in str(row)
    assert digits not in caplog.text and "4242 4242" not in caplog.text


def test_a_card_page_link_of_another_town_or_made_up_is_not_found(client, version):
    code = version.procedure.municipality.code
    _submit(client, version, {"copies": 1, "purpose": "other"})
    card_url = client.post(f"/{code}/pay/", {"source": "complete", "provider": "test_card"})[
        "Location"
    ]
    other = FormVersionFactory().procedure.municipality.code
    token = card_url.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/{other}/pay/card/{token}/").status_code == 404
    assert client.get(f"/{code}/pay/card/made-up/").status_code == 404
    assert client.post(f"/{code}/pay/", {"source": "status", "provider": "nope"}).status_code == 302


def test_the_status_page_shows_the_fee_and_state(client, version):
    code = version.procedure.municipality.code
    application = _submit(client, version, {"copies": 1, "purpose": "other"})
    access_code = client.session["completed"]["access_code"]
    html = client.post(
        f"/{code}/status/",
        {"receipt_number": application.receipt_number, "access_code": access_code},
    ).content.decode()
    assert 'id="fee-total">300円<' in html and "未払い" in html
    started = client.post(f"/{code}/pay/", {"source": "status", "provider": "test_card"})
    assert started["Location"].startswith(f"/{code}/pay/card/")


def test_the_status_page_shows_a_refund_or_a_waiver_without_a_way_to_pay(client, version):
    code = version.procedure.municipality.code
    application = _submit(client, version, {"copies": 1, "purpose": "other"})
    access_code = client.session["completed"]["access_code"]
    manager = StaffUserFactory(municipality=application.municipality, manager=True)

    def status_page() -> str:
        client.logout()
        return client.post(
            f"/{code}/status/",
            {"receipt_number": application.receipt_number, "access_code": access_code},
        ).content.decode()

    client.force_login(manager)
    base = f"/staff/applications/{application.pk}/payment"
    client.post(f"{base}/paid/", {"status": "unpaid"})
    client.post(f"{base}/refund/", {"status": "paid", "reason": "取下げ"})
    html = status_page()
    # No payment date beside it (the history keeps when it was paid and refunded).
    assert 'id="payment-status">返金済み</strong></p>' in html and "で支払う" not in html
    assert "取下げ" not in html  # the reason is the office's, not shown to the resident
    Payment.objects.filter(application=application).update(status="unpaid", paid_at=None)
    client.force_login(manager)
    client.post(f"{base}/waive/", {"status": "unpaid", "reason": "条例"})
    html = status_page()
    assert 'id="payment-status">免除<' in html and "で支払う" not in html


def _counter_application(version) -> Application:
    application = ApplicationFactory(
        form_version=version, answers={"copies": 2, "purpose": "other"}
    )
    Payment.objects.create(
        municipality=application.municipality,
        application=application,
        amount=600,
        quote={
            "lines": [{"key": "copies", "label": "住民票の写し", "unit_price": 300, "quantity": 2}]
        },
    )
    return application


def test_staff_mark_a_counter_payment_paid_once_with_who_and_when_audited(client, version):
    application = _counter_application(version)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    client.force_login(manager)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert "600円" in detail and 'id="mark-paid"' in detail
    url = f"/staff/applications/{application.pk}/payment/paid/"
    assert client.post(url, {"status": "unpaid"}).status_code == 302
    payment = Payment.objects.get(application=application)
    assert (payment.status, payment.provider) == ("paid", "counter")
    event = payment.events.get(kind="paid")
    assert event.actor == manager and event.at is not None
    assert AuditEvent.objects.filter(action="payment", object_id=str(payment.pk)).count() == 1
    # A second click (or a second clerk) changes nothing and says so.
    response = client.post(url, {"status": "unpaid"}, follow=True)
    assert "すでに「支払済み」" in response.content.decode()
    assert payment.events.filter(kind="paid").count() == 1
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert 'id="payment-history"' in detail and 'id="mark-paid"' not in detail


def test_a_role_without_the_permission_is_refused_and_another_town_is_not_found(client, version):
    application = _counter_application(version)
    url = f"/staff/applications/{application.pk}/payment/paid/"
    clerk = back_office_user(application.procedure)  # processes applications, takes no money
    client.force_login(clerk)
    assert (
        'id="mark-paid"'
        not in client.get(f"/staff/applications/{application.pk}/").content.decode()
    )
    assert client.post(url, {"status": "unpaid"}).status_code == 403
    stranger = StaffUserFactory(
        municipality=FormVersionFactory().procedure.municipality, manager=True
    )
    client.force_login(stranger)
    assert client.post(url, {"status": "unpaid"}).status_code == 404
    assert Payment.objects.get(application=application).status == "unpaid"


def test_the_inbox_shows_and_filters_by_payment(client, version):
    unpaid = _counter_application(version)
    paid = _counter_application(version)
    Payment.objects.filter(application=paid).update(status="paid")
    free = ApplicationFactory(form_version=version)
    client.force_login(StaffUserFactory(municipality=unpaid.municipality, manager=True))
    html = client.get("/staff/applications/").content.decode()
    assert 'data-payment="unpaid"' in html and 'data-payment="paid"' in html
    assert 'data-payment="none"' in html
    only_unpaid = client.get("/staff/applications/?payment=unpaid").content.decode()
    assert unpaid.receipt_number in only_unpaid
    assert paid.receipt_number not in only_unpaid and free.receipt_number not in only_unpaid
    none = client.get("/staff/applications/?payment=none").content.decode()
    assert free.receipt_number in none and unpaid.receipt_number not in none


# --- Refunds and waivers -------------------------------------------------------------------------


def _paid_application(client, version, manager) -> Application:
    application = _counter_application(version)
    client.force_login(manager)
    url = f"/staff/applications/{application.pk}/payment/paid/"
    assert client.post(url, {"status": "unpaid"}).status_code == 302
    return application


def _payment_audits(payment) -> int:
    return AuditEvent.objects.filter(action="payment", object_id=str(payment.pk)).count()


def test_staff_record_a_refund_once_with_the_reason_in_the_history_and_audited(client, version):
    manager = StaffUserFactory(municipality=version.procedure.municipality, manager=True)
    application = _paid_application(client, version, manager)
    payment = Payment.objects.get(application=application)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert 'id="refund-form"' in detail and 'id="waive-form"' not in detail
    url = f"/staff/applications/{application.pk}/payment/refund/"
    # No reason: a clear message, nothing stored.
    response = client.post(url, {"status": "paid", "reason": "  "}, follow=True)
    assert "理由を入力してください。" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "paid" and not payment.events.filter(kind="refunded").exists()
    assert _payment_audits(payment) == 1  # the counter payment only
    response = client.post(url, {"status": "paid", "reason": "申請の取下げにより窓口で返金"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.provider, payment.paid_at is not None) == (
        "refunded",
        "counter",
        True,
    )
    event = payment.events.get(kind="refunded")
    assert (event.actor, event.amount, event.note) == (manager, 600, "申請の取下げにより窓口で返金")
    assert _payment_audits(payment) == 2
    # A double submit (or a second clerk) changes nothing and says so.
    response = client.post(url, {"status": "paid", "reason": "二度目"}, follow=True)
    assert "すでに「返金済み」" in response.content.decode()
    assert payment.events.filter(kind="refunded").count() == 1 and _payment_audits(payment) == 2
    # The history shows it with the reason; no form is left to press.
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    history = detail[detail.index('id="payment-history"') :]
    assert "返金しました" in history and "申請の取下げにより窓口で返金" in history
    assert 'id="refund-form"' not in detail and 'id="mark-paid"' not in detail


def test_staff_waive_an_unpaid_fee_once_with_the_reason(client, version):
    application = _counter_application(version)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    client.force_login(manager)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert 'id="waive-form"' in detail and 'id="refund-form"' not in detail
    url = f"/staff/applications/{application.pk}/payment/waive/"
    reason = "手数料条例第5条による免除"
    assert client.post(url, {"status": "unpaid", "reason": reason}).status_code == 302
    payment = Payment.objects.get(application=application)
    assert (payment.status, payment.paid_at) == ("waived", None)
    event = payment.events.get(kind="waived")
    assert (event.actor, event.amount, event.note) == (manager, 600, reason)
    assert _payment_audits(payment) == 1
    response = client.post(url, {"status": "unpaid", "reason": reason}, follow=True)
    assert "すでに「免除」" in response.content.decode()
    assert payment.events.filter(kind="waived").count() == 1 and _payment_audits(payment) == 1
    # Neither paying at the counter nor online is offered any more.
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert 'id="mark-paid"' not in detail and 'id="waive-form"' not in detail
    assert (
        client.post(
            f"/staff/applications/{application.pk}/payment/paid/", {"status": "unpaid"}
        ).status_code
        == 302
    )
    payment.refresh_from_db()
    assert payment.status == "waived" and not payment.events.filter(kind="paid").exists()


def test_a_refund_of_an_unpaid_fee_or_a_waiver_of_a_paid_one_is_refused(client, version):
    unpaid = _counter_application(version)
    manager = StaffUserFactory(municipality=unpaid.municipality, manager=True)
    paid = _paid_application(client, version, manager)
    before = PaymentEvent.objects.count(), AuditEvent.objects.filter(action="payment").count()
    refund = client.post(
        f"/staff/applications/{unpaid.pk}/payment/refund/",
        {"status": "unpaid", "reason": "誤って"},
        follow=True,
    )
    assert "返金を記録できるのは、支払済みの手数料だけです。" in refund.content.decode()
    waive = client.post(
        f"/staff/applications/{paid.pk}/payment/waive/",
        {"status": "paid", "reason": "誤って"},
        follow=True,
    )
    assert "免除できるのは、未払いの手数料だけです。" in waive.content.decode()
    assert Payment.objects.get(application=unpaid).status == "unpaid"
    assert Payment.objects.get(application=paid).status == "paid"
    assert (
        PaymentEvent.objects.count(),
        AuditEvent.objects.filter(action="payment").count(),
    ) == before


def test_refund_and_waiver_need_the_permission_and_the_town(client, version):
    application = _counter_application(version)
    base = f"/staff/applications/{application.pk}/payment"
    clerk = back_office_user(application.procedure)  # processes applications, takes no money
    client.force_login(clerk)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert 'id="waive-form"' not in detail
    assert client.post(f"{base}/waive/", {"status": "unpaid", "reason": "x"}).status_code == 403
    assert client.post(f"{base}/refund/", {"status": "paid", "reason": "x"}).status_code == 403
    stranger = StaffUserFactory(
        municipality=FormVersionFactory().procedure.municipality, manager=True
    )
    client.force_login(stranger)
    assert client.post(f"{base}/waive/", {"status": "unpaid", "reason": "x"}).status_code == 404
    payment = Payment.objects.get(application=application)
    assert payment.status == "unpaid" and not payment.events.exists()


def test_refunded_and_waived_fees_in_the_inbox_filter_and_the_bulk_csv(client, version):
    unpaid = _counter_application(version)
    manager = StaffUserFactory(municipality=unpaid.municipality, manager=True)
    refunded = _paid_application(client, version, manager)
    waived = _counter_application(version)
    client.post(
        f"/staff/applications/{refunded.pk}/payment/refund/", {"status": "paid", "reason": "取下げ"}
    )
    client.post(
        f"/staff/applications/{waived.pk}/payment/waive/", {"status": "unpaid", "reason": "条例"}
    )
    html = client.get("/staff/applications/").content.decode()
    assert 'data-payment="refunded"' in html and 'data-payment="waived"' in html
    for state, only in (("refunded", refunded), ("waived", waived), ("unpaid", unpaid)):
        listed = client.get(f"/staff/applications/?payment={state}").content.decode()
        others = {unpaid, refunded, waived} - {only}
        assert only.receipt_number in listed
        assert not any(a.receipt_number in listed for a in others)
    # The bulk CSV's 支払状況 column carries the documented codes.
    exported = client.post(
        "/staff/applications/export/",
        {"procedure": unpaid.procedure_id, "encoding": "utf-8-sig", "only_new": "on"},
    )
    assert exported.status_code == 302
    run_page = client.get(exported["Location"]).content.decode()
    link = re.search(r'id="download" href="([^"]+)"', run_page).group(1)
    data = b"".join(client.get(link).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    status = rows[0].index("支払状況")
    assert {r[0]: r[status] for r in rows[1:]} == {
        unpaid.receipt_number: "unpaid",
        refunded.receipt_number: "refunded",
        waived.receipt_number: "waived",
    }
