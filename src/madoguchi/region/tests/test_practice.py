"""The good-practice library: a case's life (draft → review → published), effects measured by
Madoguchi or reported, who sees which case, the search by everyday words, and adoptions with
their results."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.insights.tests.factories import small_town
from madoguchi.region.models import (
    Adoption,
    EffectSource,
    PracticeCase,
    PracticeEffect,
    PracticeStatus,
)
from madoguchi.region.practice import demo, selectors, services
from madoguchi.region.tests.factories import hata_municipalities, prefecture_user
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

pytestmark = pytest.mark.django_db


def draft(town, **fields):
    case = services.case_save(
        municipality=town,
        actor=None,
        **{"title": "窓口の事例", "themes": ["counter"], "summary": "取り組み", **fields},
    )
    services.effect_add(
        case=case, label="待ち時間の短縮", value=Decimal(12), unit="分", period="per_case"
    )
    return case


def published(town, dx, *, public=False, **fields):
    case = draft(town, **fields)
    services.case_submit(case=case)
    return services.case_review(case=case, actor=dx, publish=True, is_public=public, note="")


@pytest.fixture
def kochi():
    towns = hata_municipalities()
    return {
        "towns": towns,
        "prefecture": towns[0].prefecture,
        "dx": prefecture_user(towns[0].prefecture),
    }


def test_a_case_goes_from_draft_through_review_to_published(kochi):
    town, dx = kochi["towns"][0], kochi["dx"]
    case = services.case_save(
        municipality=town,
        actor=None,
        title="書かない窓口",
        themes=["counter", "nonsense", "bpr"],
        summary="聞き取りで申請書を作る",
    )
    assert case.status == PracticeStatus.DRAFT and case.themes == ["counter", "bpr"]
    with pytest.raises(ValidationError, match="効果を1つ以上"):
        services.case_submit(case=case)
    services.effect_add(case=case, label="記入時間", value=Decimal(3), unit="分", period="per_case")
    services.case_submit(case=case)
    assert case.status == PracticeStatus.IN_REVIEW and case.submitted_at
    # In review, nothing changes: no edits, no effects.
    with pytest.raises(ValidationError, match="下書き"):
        services.case_save(municipality=town, actor=None, case=case, title="別の名前")
    with pytest.raises(ValidationError, match="下書き"):
        services.effect_add(case=case, label="x", value=Decimal(1), unit="人", period="per_year")
    # Returning needs a comment; the comment reaches the municipality.
    with pytest.raises(ValidationError, match="直してほしいこと"):
        services.case_review(case=case, actor=dx, publish=False, is_public=False, note=" ")
    services.case_review(case=case, actor=dx, publish=False, is_public=True, note="費用を書いて")
    case.refresh_from_db()
    assert case.status == PracticeStatus.DRAFT and case.review_note == "費用を書いて"
    assert not case.is_public
    services.case_save(municipality=town, actor=None, case=case, cost_annual=1_200_000)
    services.case_submit(case=case)
    services.case_review(case=case, actor=dx, publish=True, is_public=True, note="")
    case.refresh_from_db()
    assert case.status == PracticeStatus.PUBLISHED and case.is_public and case.published_at
    with pytest.raises(ValidationError, match="確認待ち"):
        services.case_review(case=case, actor=dx, publish=True, is_public=True, note="")
    services.case_withdraw(case=case)
    assert case.status == PracticeStatus.DRAFT


# --- Who sees what ------------------------------------------------------------------------------


def test_access_walk_by_reader_and_state(client, kochi):
    """Each reader × each case: the page opens (200) or is not found (404); roles without the
    region permission are refused (403) everywhere."""
    towns, dx = kochi["towns"], kochi["dx"]
    author, neighbour = towns[0], towns[1]
    shizuoka = prefecture_for("221007")
    stranger_town = MunicipalityFactory(code="221007", prefecture=shizuoka)
    cases = {
        "draft": draft(author, title="下書きの事例"),
        "in_review": services.case_submit(case=draft(author, title="確認待ちの事例")),
        "published": published(author, dx, title="県内公開の事例"),
        "public": published(author, dx, public=True, title="全国公開の事例"),
    }
    readers = {
        "author": StaffUserFactory(municipality=author, manager=True),
        "author admin": StaffUserFactory(municipality=author, admin=True),
        "neighbour": StaffUserFactory(municipality=neighbour, manager=True),
        "dx team": dx,
        "viewer": prefecture_user(kochi["prefecture"], dx=False),
        "other prefecture town": StaffUserFactory(municipality=stranger_town, manager=True),
        "other prefecture dx": prefecture_user(shizuoka),
    }
    sees = {
        "author": {"draft", "in_review", "published", "public"},
        "author admin": {"draft", "in_review", "published", "public"},
        "neighbour": {"published", "public"},
        "dx team": {"draft", "in_review", "published", "public"},
        "viewer": {"published", "public"},
        "other prefecture town": {"public"},
        "other prefecture dx": {"public"},
    }
    for who, user in readers.items():
        client.force_login(user)
        listing = client.get("/staff/region/practice/").content.decode()
        for state, case in cases.items():
            status = client.get(f"/staff/region/practice/{case.pk}/").status_code
            assert status == (200 if state in sees[who] else 404), (who, state, status)
            # The library lists only published cases (a municipality's own are listed apart).
            listed = f'href="/staff/region/practice/{case.pk}/">{case.title}</a></h3>' in listing
            assert listed == (state in sees[who] and state in ("published", "public")), (who, state)
    for role in (Role.COUNTER, Role.BACK_OFFICE, Role.PROCEDURE_EDITOR):
        client.force_login(StaffUserFactory(municipality=author, role=role))
        for url in ("/staff/region/practice/", f"/staff/region/practice/{cases['public'].pk}/"):
            assert client.get(url).status_code == 403, (role, url)
        assert client.post("/staff/region/practice/new/", {"title": "x"}).status_code == 403


def test_only_the_author_edits_and_only_the_dx_team_reviews(client, kochi):
    towns, dx = kochi["towns"], kochi["dx"]
    case = services.case_submit(case=draft(towns[0]))
    client.force_login(StaffUserFactory(municipality=towns[1], manager=True))
    for url in ("edit/", "effects/", "state/"):
        assert client.post(f"/staff/region/practice/{case.pk}/{url}", {}).status_code == 404
    assert client.post(f"/staff/region/practice/{case.pk}/review/", {}).status_code == 403
    client.force_login(prefecture_user(kochi["prefecture"], dx=False))
    assert client.post(f"/staff/region/practice/{case.pk}/review/", {}).status_code == 403
    client.force_login(prefecture_user(prefecture_for("221007")))
    sent = client.post(f"/staff/region/practice/{case.pk}/review/", {"decision": "publish"})
    assert sent.status_code == 404
    client.force_login(dx)
    sent = client.post(
        f"/staff/region/practice/{case.pk}/review/", {"decision": "publish", "is_public": "on"}
    )
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.status == PracticeStatus.PUBLISHED and case.is_public and case.reviewed_by == dx
    # A published case is not edited in place: the author takes it back to a draft first.
    client.force_login(StaffUserFactory(municipality=towns[0], manager=True))
    assert client.post(f"/staff/region/practice/{case.pk}/edit/", {"title": "x"}).status_code == 302
    case.refresh_from_db()
    assert case.title == "窓口の事例"


def test_a_municipality_writes_its_case_over_http(client, kochi):
    town = kochi["towns"][2]
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    bad = client.post("/staff/region/practice/new/", {"title": "", "themes": ["nope"]})
    assert bad.status_code == 400 and "入力を確かめてください" in bad.content.decode()
    sent = client.post(
        "/staff/region/practice/new/",
        {"title": "スマホ相談会", "themes": ["divide"], "summary": "公民館で月2回"},
    )
    assert sent.status_code == 302
    case = PracticeCase.objects.get(title="スマホ相談会")
    assert case.municipality == town and case.status == PracticeStatus.DRAFT
    url = f"/staff/region/practice/{case.pk}/"
    refused = client.post(url + "state/", {"action": "submit"}, follow=True).content.decode()
    assert "効果を1つ以上" in refused
    wrong = client.post(url + "effects/", {"label": "参加者", "value": "abc", "unit": "人"})
    assert wrong.status_code == 400
    client.post(
        url + "effects/",
        {"label": "参加者", "value": "180", "unit": "人", "period": "per_year"},
    )
    effect = PracticeEffect.objects.get(case=case)
    assert effect.source == EffectSource.REPORTED and effect.value == 180
    junk = client.post(url + "effects/", {"remove": "x"}, follow=True).content.decode()
    assert "この効果は見つかりません" in junk
    assert client.post(url + "state/", {"action": "submit"}).status_code == 302
    case.refresh_from_db()
    assert case.status == PracticeStatus.IN_REVIEW


# --- Measured effects ---------------------------------------------------------------------------


def test_effects_are_prefilled_from_madoguchis_measurements(client):
    """small_town: 3 online applications of 4, counter service times 10 and 5 minutes (mean
    7.5), waits 10, 30, 5 and 20 minutes — so 3 × 7.5 / 60 = 0.4 staff hours saved (rounded
    to a tenth), online share 75 %, median wait 10 minutes (nearest rank)."""
    world = small_town()
    town = world["municipality"]
    case = draft(town)
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    page = client.get(f"/staff/region/practice/{case.pk}/").content.decode()
    assert "オンライン化で減った窓口の対応時間：<strong>0.4 時間</strong>" in page
    assert "申請のうちオンラインの割合：<strong>75 %</strong>" in page
    assert "窓口の待ち時間（中央値）：<strong>10 分</strong>" in page
    # The value is computed on the server: a posted value is ignored.
    sent = client.post(
        f"/staff/region/practice/{case.pk}/effects/", {"metric": "staff_hours", "value": "9999"}
    )
    assert sent.status_code == 302
    effect = PracticeEffect.objects.get(case=case, metric="staff_hours")
    assert effect.value == Decimal("0.4") and effect.unit == "時間"
    assert effect.source == EffectSource.MEASURED and effect.period == "per_year"
    today = timezone.localdate()
    assert (effect.measured_from, effect.measured_to) == (today - timedelta(days=364), today)
    client.post(f"/staff/region/practice/{case.pk}/effects/", {"metric": "online_share"})
    assert PracticeEffect.objects.get(case=case, metric="online_share").value == 75
    shown = client.get(f"/staff/region/practice/{case.pk}/").content.decode()
    assert "Madoguchi の計測</span>" in shown and "自治体の報告</span>" in shown
    # A figure Madoguchi has not measured cannot be added.
    empty = draft(hata_municipalities()[0])
    with pytest.raises(ValidationError, match="計測できていません"):
        services.effect_add_measured(case=empty, metric="median_wait", today=today)
    with pytest.raises(ValidationError):
        services.effect_add_measured(case=case, metric="nonsense", today=today)


# --- Adoption -----------------------------------------------------------------------------------


def test_a_municipality_adopts_a_case_and_reports_its_result(client, kochi):
    towns, dx = kochi["towns"], kochi["dx"]
    case = published(towns[0], dx, title="事前入力で書かない窓口")
    url = f"/staff/region/practice/{case.pk}/"
    client.force_login(StaffUserFactory(municipality=towns[0], manager=True))
    assert "この事例を参考に取り組む" not in client.get(url).content.decode()
    own = client.post(url + "adopt/", follow=True).content.decode()
    assert "自分の自治体の事例です" in own and not Adoption.objects.exists()
    client.force_login(StaffUserFactory(municipality=towns[3], manager=True))
    early = client.post(url + "result/", {"label": "x"}, follow=True).content.decode()
    assert "先に「この事例を参考に取り組む」" in early
    assert "この事例を参考に取り組む" in client.get(url).content.decode()
    assert client.post(url + "adopt/").status_code == 302
    adoption = Adoption.objects.get()
    assert adoption.municipality == towns[3] and adoption.started_on == timezone.localdate()
    again = client.post(url + "adopt/", follow=True).content.decode()
    assert "もう取り組んでいます" in again and Adoption.objects.count() == 1
    huge = client.post(
        url + "result/",
        {
            "label": "x",
            "value": "999999999999",
            "unit": "分",
            "period": "per_case",
            "on": "2026-01-01",
        },
    )
    assert huge.status_code == 400
    before = (adoption.started_on - timedelta(days=1)).isoformat()
    refused = client.post(
        url + "result/",
        {"label": "待ち時間", "value": "8", "unit": "分", "period": "per_case", "on": before},
    )
    assert refused.status_code == 400 and "始めた日より後" in refused.content.decode()
    sent = client.post(
        url + "result/",
        {
            "label": "記入時間の短縮",
            "value": "3",
            "unit": "分",
            "period": "per_case",
            "on": timezone.localdate().isoformat(),
            "note": "住民票の窓口で計測",
        },
    )
    assert sent.status_code == 302
    adoption.refresh_from_db()
    assert adoption.result_value == 3 and adoption.result_note == "住民票の窓口で計測"
    # The case page lists the adopter with its result, for the author and the prefecture.
    for user in (StaffUserFactory(municipality=towns[0], manager=True), dx):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert f"<strong>{towns[3].name}</strong>" in page and "記入時間の短縮：3 分" in page
    adopter = StaffUserFactory(municipality=towns[3], manager=True)
    client.force_login(adopter)
    assert "事前入力で書かない窓口" in client.get("/staff/region/practice/").content.decode()
    services.case_withdraw(case=case)  # back to a draft: out of the adopter's sight
    assert "事前入力で書かない窓口" not in client.get("/staff/region/practice/").content.decode()
    assert client.get(url).status_code == 404
    # A draft or another prefecture's unpublished case cannot be taken up.
    hidden = draft(towns[1])
    with pytest.raises(ValidationError, match="公開中"):
        services.adoption_start(
            case=hidden, municipality=towns[2], actor=dx, today=timezone.localdate()
        )
    client.force_login(StaffUserFactory(municipality=towns[2], manager=True))
    assert client.post(f"/staff/region/practice/{hidden.pk}/adopt/").status_code == 404


# --- Search -------------------------------------------------------------------------------------

SEARCHES = [
    # (what a municipality's staff type, the example case that must come first)
    ("申請書を書かなくていい窓口にしたい", "「書かない窓口」"),
    ("スマホで事前に入力してもらう", "スマートフォンの事前入力"),
    ("高齢者にスマホの使い方を教えたい", "スマホ相談会"),
    ("窓口の待ち時間が長い", "来庁予約"),
    ("会議録の文字起こしが大変", "AI議事録"),
    ("税の入力作業を自動化したい", "RPA"),
    ("手数料を現金以外で払えるように", "キャッシュレス"),
    ("情報担当の職員がいない", "CIO補佐官"),
    ("引っ越しの手続をワンストップで", "「書かない窓口」"),
    ("キャッシュレス", "キャッシュレス"),
]


@pytest.mark.parametrize("query,expected", SEARCHES)
def test_everyday_words_find_the_right_case(query, expected):
    towns = hata_municipalities()
    demo.load(towns=towns, actor=prefecture_user(towns[0].prefecture))
    reader = selectors.Reader.of(Scope.of_municipality(towns[4]), dx_team=False)
    found = selectors.search(reader=reader, query=query)
    assert found and expected in found[0].title, [c.title for c in found[:3]]


def test_search_filters_by_theme_and_population_class():
    towns = hata_municipalities()  # 宿毛市 19,000 (〜5万), 大月町 4,500 (〜1万), 四万十市 32,000
    dx = prefecture_user(towns[0].prefecture)
    demo.load(towns=towns, actor=dx)
    reader = selectors.Reader.of(Scope.of_municipality(towns[4]), dx_team=False)
    everything = selectors.search(reader=reader)
    assert len(everything) == 8 and all(c.is_example for c in everything)
    ai = selectors.search(reader=reader, theme="ai_rpa")
    assert sorted(c.title[3:9] for c in ai) == ["AI議事録で", "RPAで市民"]
    small = selectors.search(reader=reader, population="〜1万")
    assert small == [] or all(c.municipality.population < 10_000 for c in small)
    mid = selectors.search(reader=reader, population="〜5万")
    assert len(mid) == 8  # every demo case is of 宿毛市, 土佐清水市 or 四万十市 (〜5万)
    assert selectors.search(reader=reader, query="キャッシュレス", theme="divide") == []
    # Another prefecture sees only the cases published to every prefecture.
    stranger = MunicipalityFactory(code="221007", prefecture=prefecture_for("221007"))
    outside = selectors.Reader.of(Scope.of_municipality(stranger), dx_team=False)
    assert {c.pk for c in selectors.search(reader=outside)} == set(
        PracticeCase.objects.filter(is_public=True).values_list("pk", flat=True)
    )
    assert len(selectors.search(reader=outside)) == 3


def test_the_search_page_over_http(client, kochi):
    demo.load(towns=kochi["towns"], actor=kochi["dx"])
    client.force_login(StaffUserFactory(municipality=kochi["towns"][4], manager=True))
    page = client.get("/staff/region/practice/", {"q": "高齢者 スマホ", "population": "〜5万"})
    assert page.status_code == 200
    body = page.content.decode()
    titles = re.findall(r'<h3 class="mg-h3"><a href="[^"]+">([^<]+)</a>', body)
    assert "件見つかりました" in body and titles[0] == "【例】公民館でのスマホ相談会"
    hostile = client.get(
        "/staff/region/practice/", {"theme": "<x>", "population": "∞", "q": "x" * 5000}
    )
    assert hostile.status_code == 200
