"""The resident's pre-input journey over HTTP (no JavaScript), and the counter's scan page."""

from __future__ import annotations

import logging
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application, Draft
from madoguchi.core.models import AuditEvent
from madoguchi.counter import services
from madoguchi.counter.models import PreInput, PreInputMode
from madoguchi.counter.preinput import codec, qr
from madoguchi.counter.tests.factories import PreInputSettingFactory, preinput_form_version

pytestmark = pytest.mark.django_db

APPLICANT = {
    "name__family": "雲母坂",
    "name__given": "紗和子",
    "name__family_kana": "キララザカ",
    "name__given_kana": "サワコ",
    "birth_date": "昭和50年4月1日",
    "email": "sawako.kirara@example.jp",
}
# What must never appear in a log record, a URL or a token-mode QR code.
SECRETS = ["雲母坂", "紗和子", "キララザカ", "サワコ", "sawako", "1975-04-01", "昭和50年"]


@pytest.fixture(params=[PreInputMode.TOKEN, PreInputMode.PAYLOAD])
def version(request):
    version = preinput_form_version()
    PreInputSettingFactory(municipality=version.procedure.municipality, mode=request.param)
    return version


def _journey(client, version):
    """Start in pre-input mode, answer the one step, create the QR codes; the visited URLs."""
    code, slug = version.procedure.municipality.code, version.procedure.slug
    urls = [f"/{code}/procedures/{slug}/"]
    page = client.get(urls[0]).content.decode()
    assert "窓口用に事前入力する" in page
    response = client.post(f"/{code}/forms/{slug}/start/")
    assert response.status_code == 302
    step = response["Location"]
    urls.append(step)
    page = client.get(step).content.decode()
    assert "保存して中断する" not in page  # a resume link would leave pre-input mode
    response = client.post(step, {**APPLICANT, "_action": "next"})
    assert response.status_code == 302, response.content.decode()
    check = response["Location"]
    urls.append(check)
    page = client.get(check).content.decode()
    assert "窓口用のQRコードを作る" in page and "雲母坂" in page
    response = client.post(check)
    assert response.status_code == 302
    result = response["Location"]
    assert result == f"/{code}/forms/{slug}/"
    urls.append(result)
    return urls


def test_pre_input_journey_then_scan_without_any_answer_in_logs_or_urls(client, version, caplog):
    caplog.set_level(logging.DEBUG)
    town = version.procedure.municipality
    urls = _journey(client, version)
    # No application: a pre-input; the draft is gone with its answers.
    assert not Application.objects.exists() and not Draft.objects.exists()
    page = client.get(urls[-1]).content.decode()
    assert "窓口用のQRコードができました" in page and "<svg" in page and "有効期限" in page
    png = client.get(f"{urls[-1]}qr-1.png")
    assert png["Content-Type"] == "image/png"
    assert "attachment" in png["Content-Disposition"]
    texts = qr.decode_image(png.content)
    setting = services.preinput_setting(municipality=town)
    if setting.mode == PreInputMode.TOKEN:
        assert texts[0].startswith(f"PT1.{town.code}.")
        assert PreInput.objects.get().answers["name"]["family"] == "雲母坂"
    else:
        assert not PreInput.objects.exists()  # nothing stored server-side
        found = re.search(r"全(\d+)枚", page)
        count = int(found.group(1)) if found else 1
        texts = [
            text
            for n in range(1, count + 1)
            for text in qr.decode_image(client.get(f"{urls[-1]}qr-{n}.png").content)
        ]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text

    clerk = StaffUserFactory(municipality=town, counter=True)
    client.force_login(clerk)
    for text in texts:
        response = client.post("/staff/counter/scan/", {"code": text + "\r\n"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "雲母坂" in page and "紗和子" in page
    assert AuditEvent.objects.filter(object_type="counter.countercase").exists()

    for record in caplog.records:
        logged = record.getMessage() + repr(record.args) + repr(record.__dict__.get("extra"))
        for secret in SECRETS:
            assert secret not in logged, (record.name, logged)
    for url in urls:
        for secret in SECRETS:
            assert secret not in url


def test_view_and_delete_own_pre_input(client, version):
    urls = _journey(client, version)
    town = version.procedure.municipality
    view = client.get(f"{urls[-1]}view/").content.decode()
    if services.preinput_setting(municipality=town).mode == PreInputMode.TOKEN:
        assert "雲母坂" in view
    else:
        assert "サーバーには保存されていません" in view and "雲母坂" not in view
    response = client.post(f"{urls[-1]}delete/")
    assert response.status_code == 302
    assert not PreInput.objects.exists()
    # The QR page is gone with it.
    assert client.get(urls[-1]).status_code == 302


def test_pre_input_needs_the_channel(client):
    version = preinput_form_version(procedure__counter_preinput=False)
    code, slug = version.procedure.municipality.code, version.procedure.slug
    assert "窓口用に事前入力する" not in client.get(f"/{code}/procedures/{slug}/").content.decode()
    assert client.post(f"/{code}/forms/{slug}/start/").status_code == 404


def _payload_parts(version, n_chars=4000):
    answers = {"name": {"family": "雲母坂"}, "note": os.urandom(n_chars // 2).hex()}
    PreInputSettingFactory(municipality=version.procedure.municipality, mode=PreInputMode.PAYLOAD)
    issued = services.preinput_issue(
        procedure=version.procedure, form_version=version, answers=answers
    )
    assert len(issued.qr_texts) >= 3
    return issued.qr_texts


def test_scanner_parts_accumulate_in_any_order_and_a_missing_one_is_named(client):
    version = preinput_form_version()
    texts = _payload_parts(version)
    client.force_login(StaffUserFactory(municipality=version.procedure.municipality, counter=True))
    order = list(reversed(texts))
    for i, text in enumerate(order[:-1], start=1):
        page = client.post("/staff/counter/scan/", {"code": text}).content.decode()
        assert f"全{len(texts)}枚のうち{i}枚を読み取りました" in page
        assert "PI-MISSING" in page
    assert "まだ読み取られていません" in page
    assert "1枚目" in page  # the one still missing is named
    page = client.post("/staff/counter/scan/", {"code": order[-1]}, follow=True).content.decode()
    assert "雲母坂" in page
    page = client.post("/staff/counter/scan/", {"code": "\n".join(texts)}).content.decode()
    assert "PI-USED" in page and "雲母坂" not in page


def test_scan_an_uploaded_image(client):
    version = preinput_form_version()
    PreInputSettingFactory(municipality=version.procedure.municipality)
    issued = services.preinput_issue(
        procedure=version.procedure, form_version=version, answers={"name": {"family": "雲母坂"}}
    )
    client.force_login(StaffUserFactory(municipality=version.procedure.municipality, counter=True))
    image = SimpleUploadedFile("qr.png", qr.png(issued.qr_texts[0]), content_type="image/png")
    page = client.post("/staff/counter/scan/", {"image": image}, follow=True).content.decode()
    assert "雲母坂" in page
    junk = SimpleUploadedFile("qr.png", b"not an image", content_type="image/png")
    response = client.post("/staff/counter/scan/", {"image": junk})
    assert response.status_code == 400 and "PI-NOQR" in response.content.decode()


def test_scan_page_guard(client):
    version = preinput_form_version()
    town = version.procedure.municipality
    PreInputSettingFactory(municipality=town)
    issued = services.preinput_issue(
        procedure=version.procedure, form_version=version, answers={"name": {"family": "雲母坂"}}
    )
    assert client.get("/staff/counter/scan/").status_code == 302  # sign in first
    client.force_login(StaffUserFactory(municipality=town))  # back office: not the counter role
    assert client.post("/staff/counter/scan/", {"code": issued.qr_texts[0]}).status_code == 403
    other_clerk = StaffUserFactory(counter=True)  # a counter clerk of another municipality
    assert other_clerk.municipality != town
    client.force_login(other_clerk)
    response = client.post("/staff/counter/scan/", {"code": issued.qr_texts[0]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "PI-OTHER-TOWN" in page and "雲母坂" not in page
    # Still usable at its own counter.
    client.force_login(StaffUserFactory(municipality=town, counter=True))
    assert (
        "雲母坂"
        in client.post(
            "/staff/counter/scan/", {"code": issued.qr_texts[0]}, follow=True
        ).content.decode()
    )


def test_codec_parts_are_in_the_alphanumeric_qr_mode():
    header = codec.Header("229997", "x", 1, 0, 1)
    text = codec.split(codec.seal(header, {"a": 1}, key=b"k" * 32))[0]
    assert qr.make(text).mode == "alphanumeric"
