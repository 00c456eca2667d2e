"""One visit, several procedures: a life event pre-filled once, one QR code (both modes), the
counter's visit page with the related procedures and each ticked one as its own counter case."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application, Channel, Draft
from madoguchi.applications.tests.factories import (
    NO_FILE_DEFINITION,
    FormVersionFactory,
    ProcedureFactory,
)
from madoguchi.core.models import AuditEvent
from madoguchi.counter import services
from madoguchi.counter.models import (
    CounterCase,
    CounterVisit,
    PreInputMode,
    PreInputVisit,
)
from madoguchi.counter.preinput import codec, qr
from madoguchi.counter.preinput.errors import PreInputRefused
from madoguchi.counter.tests.factories import PreInputSettingFactory
from madoguchi.counter.tests.test_visit_rules import ADDRESS, CHILD, CHILD_ALLOWANCE, NAME
from madoguchi.procedures.library import load_library
from madoguchi.procedures.models import LifeEvent, LifeEventProcedure, Procedure
from madoguchi.procedures.services import life_events_install, procedure_import
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

SLUGS = ("child-allowance", "nursery-admission", "nhi-enrolment", "pregnancy-notification")
NURSERY = {
    "child_name": CHILD,
    "child_birth_date": "2023-05-05",
    "child_sex": "female",
    "start_month": "2027-04-01",
    "guardian_name": NAME,
}
# What must never appear in a log record, a URL or a token-mode QR code.
SECRETS = ["雲母坂", "紗和子", "キララザカ", "sawako", "1990-04-01", "霞が関"]


def _town(mode=PreInputMode.TOKEN):
    town = MunicipalityFactory()
    PreInputSettingFactory(municipality=town, mode=mode)
    for entry in load_library():
        if entry["slug"] in SLUGS:
            procedure_import(municipality=town, data={**entry, "is_published": True})
    life_events_install(municipality=town)
    return town


@pytest.fixture(params=[PreInputMode.TOKEN, PreInputMode.PAYLOAD])
def mode(request):
    return request.param


@pytest.fixture
def town(mode):
    return _town(mode)


def _items(town, *slugs_answers):
    items = []
    for slug, answers in slugs_answers:
        procedure = Procedure.objects.for_municipality(town).get(slug=slug)
        items.append(services.VisitItem(procedure, procedure.current_version, answers))
    return items


def _issue(town, event="moving", now=None):
    shared = {
        "applicant": {"applicant_name": NAME, "applicant_birth_date": "1990-04-01"},
        "household": [{"name": CHILD, "birth_date": "2023-05-05"}],
    }
    return services.visit_preinput_issue(
        municipality=town,
        life_event=LifeEvent.objects.get(municipality=town, slug=event),
        items=_items(town, ("child-allowance", CHILD_ALLOWANCE), ("nursery-admission", NURSERY)),
        shared=shared,
        now=now,
    )


def _refusal(town, text, **kwargs):
    with pytest.raises(PreInputRefused) as refused:
        services.preinput_redeem(municipality=town, scanned_text=text, **kwargs)
    return refused.value.code


def test_qr_round_trip_of_a_multi_procedure_visit(town, mode):
    issued = _issue(town)
    decoded = [t for text in issued.qr_texts for t in qr.decode_image(qr.png(text))]
    assert decoded == issued.qr_texts
    if mode == PreInputMode.TOKEN:
        assert re.fullmatch(rf"PV1\.{town.code}\.[A-Z2-7]{{32}}", decoded[0])
        for secret in SECRETS:
            assert secret not in decoded[0]
    else:
        assert not PreInputVisit.objects.exists()
        assert all(t.startswith(codec.PART_PREFIX + ".") for t in decoded)
    data = services.preinput_redeem(municipality=town, scanned_text="\n".join(decoded))
    assert isinstance(data, services.VisitData)
    assert data.mode == mode
    assert data.life_event.slug == "moving"
    assert [i.procedure.slug for i in data.items] == ["child-allowance", "nursery-admission"]
    assert data.items[0].answers == CHILD_ALLOWANCE
    assert data.items[1].answers == NURSERY
    assert data.shared["household"] == [{"name": CHILD, "birth_date": "2023-05-05"}]
    # Taken in: a token's answers leave the server; a second scan is refused.
    assert not PreInputVisit.objects.exclude(items=[]).exists()
    assert _refusal(town, "\n".join(decoded)) == "PI-USED"


def test_expired_forged_and_other_town_visits_are_refused(town, mode):
    old = _issue(town, now=timezone.now() - timedelta(days=30))
    assert _refusal(town, "\n".join(old.qr_texts)) == "PI-EXPIRED"
    issued = _issue(town)
    other = _town(mode)
    assert _refusal(other, "\n".join(issued.qr_texts)) == "PI-OTHER-TOWN"
    if mode == PreInputMode.TOKEN:
        forged = issued.qr_texts[0][:-4] + (
            "AAAA" if not issued.qr_texts[0].endswith("AAAA") else "BBBB"
        )
        assert _refusal(town, forged) == "PI-UNKNOWN"
    else:
        parts = [codec.parse_part(t) for t in issued.qr_texts]
        chunk = parts[0].chunk
        flipped = ("B" if chunk[40] == "A" else "A").join([chunk[:40], chunk[41:]])
        parts[0] = codec.Part(parts[0].message_id, parts[0].index, parts[0].total, flipped)
        assert _refusal(town, "\n".join(p.text() for p in parts)) == "PI-FORGED"
    # Still usable after the refusals: nothing was consumed by them.
    assert isinstance(
        services.preinput_redeem(municipality=town, scanned_text="\n".join(issued.qr_texts)),
        services.VisitData,
    )


def _scanned_visit(town, clerk):
    issued = services.visit_preinput_issue(
        municipality=town,
        life_event=LifeEvent.objects.get(municipality=town, slug="moving"),
        items=_items(town, ("child-allowance", CHILD_ALLOWANCE)),
        shared={
            "applicant": {
                "applicant_name": NAME,
                "applicant_birth_date": "1990-04-01",
                "applicant_postal_code": "100-0013",
                "applicant_address": ADDRESS,
                "applicant_phone": "03-1234-5678",
                "applicant_email": "sawako@example.jp",
            },
            "household": [{"name": CHILD, "birth_date": "2023-05-05"}],
        },
    )
    data = services.preinput_redeem(municipality=town, scanned_text="\n".join(issued.qr_texts))
    return services.counter_visit_open(staff=clerk, data=data)


def test_counter_issues_each_ticked_procedure_as_its_own_prefilled_case(town):
    clerk = StaffUserFactory(municipality=town, counter=True)
    visit = _scanned_visit(town, clerk)
    # 転入 + a child of 3 → 保育; national pension → 国保 (child allowance is pre-filled).
    from madoguchi.counter import selectors

    suggested = selectors.counter_visit_suggestions(visit=visit, today=timezone.localdate())
    assert [s.procedure for s in suggested] == ["nursery-admission", "nhi-enrolment"]
    cases = services.counter_visit_issue(
        visit=visit,
        staff=clerk,
        slugs=["child-allowance", "nursery-admission", "nhi-enrolment", "pregnancy-notification"],
    )
    # Only what the visit holds or proposes; pregnancy-notification was neither.
    assert [c.procedure.slug for c in cases] == [
        "child-allowance",
        "nursery-admission",
        "nhi-enrolment",
    ]
    assert {c.visit_id for c in cases} == {visit.pk}
    assert all(c.source == CounterCase.Source.PREINPUT_TOKEN or c.with_preinput for c in cases)
    allowance, nursery, nhi = cases
    assert allowance.answers["pension"] == "national_pension"
    assert nursery.answers["guardian_name"] == NAME
    assert nursery.answers["address"] == ADDRESS
    assert nursery.answers["child_birth_date"] == "2023-05-05"
    assert nhi.answers["applicant_phone"] == "03-1234-5678"
    assert nhi.answers["members"] == [{"name": CHILD, "birth_date": "2023-05-05"}]
    visit.refresh_from_db()
    assert visit.status == CounterVisit.Status.ISSUED
    assert visit.items == [] and visit.shared == {}
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied: issued once
        services.counter_visit_issue(visit=visit, staff=clerk, slugs=["nhi-enrolment"])

    # Each case completes and is confirmed as today: one application per procedure, channel
    # counter, all on the same visit ticket.
    nhi.answers.update(reason="moved_in", event_date="2026-12-01", consent=True)
    nhi.answers["members"][0]["relationship"] = "child"
    services.counter_case_complete(
        case=nhi,
        answers=nhi.answers,
        identity_document=CounterCase.IdentityDocument.MY_NUMBER_CARD,
        verified_fields=["name"],
    )
    confirmed = services.counter_case_confirm(case=nhi)
    assert confirmed.application.channel == Channel.COUNTER
    assert confirmed.application.answers["applicant_name"]["family"] == "雲母坂"


def test_the_staff_visit_page_shows_reasons_is_audited_and_issues(client, town):
    clerk = StaffUserFactory(municipality=town, counter=True)
    visit = _scanned_visit(town, clerk)
    client.force_login(clerk)
    url = f"/staff/counter/visits/{visit.pk}/"
    page = client.get(url).content.decode()
    assert "保育施設等の利用申込" in page and "6歳未満" in page and "国民年金" in page
    assert AuditEvent.objects.filter(object_type="counter.countervisit").exists()
    assert client.post(url, {}).status_code == 400  # nothing ticked
    response = client.post(url, {"procedure": ["child-allowance", "nhi-enrolment"]})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "児童手当 認定請求" in page and "国民健康保険 加入の届出" in page
    assert CounterCase.objects.filter(visit=visit).count() == 2
    # Another town's clerk: 404.
    stranger = StaffUserFactory(municipality=_town(), counter=True)
    client.force_login(stranger)
    assert client.get(url).status_code == 404


# --- the resident's journey over HTTP (no JavaScript) ------------------------------------------

APPLICANT = {
    "name__family": "雲母坂",
    "name__given": "紗和子",
    "name__family_kana": "キララザカ",
    "name__given_kana": "サワコ",
    "birth_date": "1990-04-01",
    "email": "sawako.kirara@example.jp",
}


def _event_of_two(mode):
    town = MunicipalityFactory()
    PreInputSettingFactory(municipality=town, mode=mode)
    event = LifeEvent.objects.create(municipality=town, slug="moving", name="引っ越し")
    versions = []
    for position, name in enumerate(["転入届（テスト）", "児童手当（テスト）", "保育（テスト）"]):
        version = FormVersionFactory(
            procedure=ProcedureFactory(municipality=town, name=name, counter_preinput=True),
            definition=NO_FILE_DEFINITION,
        )
        LifeEventProcedure.objects.create(
            life_event=event, procedure=version.procedure, position=position
        )
        versions.append(version)
    return town, versions


def _resident_visit(client, town, versions):
    """The resident pre-fills the visit's procedures over HTTP; the QR page's URL and the URLs
    visited."""
    code = town.code
    urls = [f"/{code}/life-events/moving/", f"/{code}/forms/visit/moving/"]
    assert "まとめて事前入力" in client.get(urls[0]).content.decode()
    page = client.get(urls[1]).content.decode()
    assert all(v.procedure.name in page for v in versions)
    response = client.post(urls[1], {"procedure": [v.procedure.slug for v in versions]})
    for n, version in enumerate(versions):
        step = response["Location"]
        urls.append(step)
        assert f"/{version.procedure.slug}/" in step
        page = client.get(step).content.decode()
        if n == 0:
            assert 'value="雲母坂"' not in page
            posted = APPLICANT
        else:
            # Entered once: the next form holds the name, birth date and e-mail, no errors.
            assert 'value="雲母坂"' in page and "sawako.kirara@example.jp" in page
            assert "mg-error-summary" not in page
            posted = {
                k: re.search(rf'name="{k}"[^>]*value="([^"]*)"', page).group(1) for k in APPLICANT
            }
            assert posted == {**APPLICANT, "birth_date": posted["birth_date"]}
        response = client.post(step, {**posted, "_action": "next"})
        assert response.status_code == 302, response.content.decode()
        check = response["Location"]
        urls.append(check)
        page = client.get(check).content.decode()
        assert "窓口用のQRコードを作る" in page and "まだ申請にはなりません" in page
        response = client.post(check)
        assert response.status_code == 302
    result = response["Location"]
    assert result == f"/{code}/forms/visit/moving/qr/"
    urls.append(result)
    return result, urls


def test_resident_enters_shared_data_once_for_three_procedures_and_the_counter_scans_it(
    client, mode, caplog
):
    caplog.set_level(logging.DEBUG)
    town, versions = _event_of_two(mode)
    result, urls = _resident_visit(client, town, versions)
    assert not Draft.objects.exists() and not Application.objects.exists()
    page = client.get(result).content.decode()
    assert "窓口用のQRコードができました" in page and "<svg" in page
    assert all(v.procedure.name in page for v in versions)
    found = re.search(r"全(\d+)枚", page)
    texts = [
        t
        for n in range(1, (int(found.group(1)) if found else 1) + 1)
        for t in qr.decode_image(client.get(f"{result}../qr-{n}.png".replace("qr/../", "")).content)
    ]

    clerk = StaffUserFactory(municipality=town, counter=True)
    client.force_login(clerk)
    for text in texts:
        response = client.post("/staff/counter/scan/", {"code": text + "\r\n"})
    assert response.status_code == 302, response.content.decode()
    visit = CounterVisit.objects.get()
    assert response["Location"] == f"/staff/counter/visits/{visit.pk}/"
    client.post(response["Location"], {"procedure": [v.procedure.slug for v in versions]})
    cases = list(CounterCase.objects.filter(visit=visit).order_by("pk"))
    assert len(cases) == 3
    assert all(c.answers["name"]["family"] == "雲母坂" for c in cases)

    for record in caplog.records:
        logged = record.getMessage() + repr(record.args)
        for secret in SECRETS:
            assert secret not in logged, (record.name, logged)
    for url in urls:
        for secret in SECRETS:
            assert secret not in url


def test_resident_views_then_deletes_the_visit_pre_input(client, mode):
    town, versions = _event_of_two(mode)
    result, _ = _resident_visit(client, town, versions)
    view = f"/{town.code}/forms/visit/moving/view/"
    assert f'href="{view}"' in client.get(result).content.decode()
    response = client.get(view)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    page = response.content.decode()
    assert all(v.procedure.name in page for v in versions)
    payload_notice = "ここでは表示できません"
    if mode == PreInputMode.TOKEN:
        # Each procedure's answers from the server's record, under its name.
        assert page.count("雲母坂") == len(versions) and "sawako.kirara@example.jp" in page
        assert payload_notice not in page
    else:
        # A payload is only in the QR code (as for one procedure): the names, not the answers.
        assert payload_notice in page and "雲母坂" not in page

    # Another town's address with the same event: not this browser's visit there.
    other, _ = _event_of_two(mode)
    response = client.get(f"/{other.code}/forms/visit/moving/view/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/{other.code}/forms/visit/moving/"
    assert "まとめて入力した事前入力が見つかりませんでした。" in page
    assert "雲母坂" not in page and payload_notice not in page

    client.post(f"/{town.code}/forms/visit/moving/delete/")
    assert not PreInputVisit.objects.exists()
    response = client.get(view, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/{town.code}/forms/visit/moving/"
    assert "まとめて入力した事前入力が見つかりませんでした。" in page and "雲母坂" not in page


def test_a_visit_taken_in_at_the_counter_is_no_longer_shown(client):
    town, versions = _event_of_two(PreInputMode.TOKEN)
    _resident_visit(client, town, versions)
    PreInputVisit.objects.update(consumed_at=timezone.now(), items=[], shared={})
    view = f"/{town.code}/forms/visit/moving/view/"
    page = client.get(view, follow=True).content.decode()
    assert "まとめて入力した事前入力が見つかりませんでした。" in page and "雲母坂" not in page
