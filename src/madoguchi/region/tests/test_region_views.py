"""The prefecture console over HTTP: procurement catalogue, CSV, public page, agreements,
statements, what-if, history, measured usage — and who may see what."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.faq.tests.factories import FaqQueryLogFactory
from madoguchi.region import services
from madoguchi.region.models import (
    Agreement,
    AgreementChange,
    AgreementMember,
    JointSystem,
    UsageSource,
)
from madoguchi.region.tests.factories import (
    JointSystemFactory,
    ParticipationFactory,
    hata_agreement,
    hata_municipalities,
    prefecture_user,
)
from madoguchi.region.tests.test_cost_sharing import HATA_SHARES
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts_embedded(data: bytes) -> set[str]:
    """Base names of the fonts whose file is inside the PDF (subset prefix removed)."""
    import io

    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descriptor["/FontName"]).lstrip("/").split("+")[-1])
    return names


@pytest.fixture
def kochi():
    towns = hata_municipalities()
    return {"prefecture": towns[0].prefecture, "towns": towns}


@pytest.fixture
def shizuoka():
    prefecture = prefecture_for("221007")
    town = MunicipalityFactory(code="221007", name="静岡市", prefecture=prefecture)
    return {"prefecture": prefecture, "town": town}


def login(client, user):
    client.force_login(user)
    return client


# --- Joint procurement ------------------------------------------------------------------------


def test_catalogue_search_filters_and_charts(client, kochi):
    towns = kochi["towns"]
    e_app = JointSystemFactory(
        name="電子申請サービス", vendor="ベンダーA", subsidy="デジタル田園都市国家構想交付金"
    )
    chatbot = JointSystemFactory(name="県域チャットボット", chatbot=True, spec_shareable=True)
    for town in towns[:4]:
        ParticipationFactory(system=e_app, municipality=town, population=town.population)
    ParticipationFactory(system=chatbot, municipality=towns[5])
    login(client, prefecture_user(kochi["prefecture"], dx=False))

    page = client.get("/staff/region/").content.decode()
    assert "電子申請サービス" in page and "県域チャットボット" in page
    assert "<svg" in page and 'role="img"' in page
    assert "システム種別ごとの件数" in page and "システムごとの参加団体数" in page
    # The participant table under the chart carries the same figures.
    assert '<th scope="row">電子申請サービス</th><td class="rg-num">4</td>' in page

    only_tools = client.get("/staff/region/", {"domain": "tool"}).content.decode()
    assert "県域チャットボット" in only_tools and "電子申請サービス" not in only_tools
    assert "電子申請サービス" in client.get("/staff/region/", {"subsidy": "1"}).content.decode()
    assert "電子申請サービス" not in client.get("/staff/region/", {"spec": "1"}).content.decode()
    # Search by a participant's name keeps every participant in the count.
    by_town = client.get("/staff/region/", {"q": "宿毛"}).content.decode()
    assert '<td class="rg-num">4</td>' in by_town and "県域チャットボット" not in by_town


def test_another_prefectures_systems_are_not_found(client, kochi, shizuoka):
    theirs = JointSystemFactory(prefecture=shizuoka["prefecture"], name="静岡の共同調達")
    login(client, prefecture_user(kochi["prefecture"]))
    assert "静岡の共同調達" not in client.get("/staff/region/").content.decode()
    assert client.get(f"/staff/region/systems/{theirs.pk}/").status_code == 404
    assert client.get(f"/staff/region/systems/{theirs.pk}/edit/").status_code == 404


def test_viewer_reads_but_only_the_dx_team_writes(client, kochi):
    login(client, prefecture_user(kochi["prefecture"], dx=False))
    assert client.get("/staff/region/systems/new/").status_code == 403
    assert client.get("/staff/region/systems/import/").status_code == 403
    # A municipality's staff (even its administrator) do not reach the console.
    login(client, StaffUserFactory(municipality=kochi["towns"][0], admin=True))
    assert client.get("/staff/region/").status_code == 403


def test_the_dx_team_creates_a_system_with_participants(client, kochi):
    towns = kochi["towns"]
    login(client, prefecture_user(kochi["prefecture"]))
    data = {
        "name": "施設予約システム",
        "domain": "business",
        "system_type": "facility_booking",
        "vendor": "ベンダーB",
        "initial_cost": "3000000",
        "annual_cost": "1200000",
        "period_start": "2026-04-01",
        "period_end": "2029-03-31",
        "spec_shareable": "on",
        "is_public": "on",
        f"p{towns[0].code}-in": "1",
        f"p{towns[0].code}-population": "19000",
        f"p{towns[0].code}-staff": "120",
        f"p{towns[1].code}-in": "1",
        f"p{towns[1].code}-population": "12,000",
        f"p{towns[1].code}-staff": "80",
    }
    response = client.post("/staff/region/systems/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    system = JointSystem.objects.get(name="施設予約システム")
    assert sorted(system.participants.values_list("population", "staff_covered")) == [
        (12_000, 80),
        (19_000, 120),
    ]
    # A bad number in a row: nothing saved, the row says what to fix.
    data[f"p{towns[2].code}-in"] = "1"
    data[f"p{towns[2].code}-population"] = "たくさん"
    response = client.post(f"/staff/region/systems/{system.pk}/edit/", data)
    assert response.status_code == 400
    assert "人口は0以上の整数で入力してください。" in response.content.decode()
    assert system.participants.count() == 2


def test_csv_round_trip_and_all_or_nothing_import(client, kochi):
    towns = kochi["towns"]
    system = JointSystemFactory(name="AI議事録", system_type="ai_minutes", initial_cost=500_000)
    ParticipationFactory(system=system, municipality=towns[0], population=19_000, staff_covered=30)
    login(client, prefecture_user(kochi["prefecture"]))
    exported = client.get("/staff/region/systems/export.csv")
    assert exported.status_code == 200
    text = exported.content.decode("utf-8-sig")
    assert "AI議事録" in text and f"{towns[0].code}:19000:30" in text

    good = (
        "name,domain,system_type,vendor,annual_cost,spec_shareable,participants\r\n"
        f'セキュリティクラウド,総務部門,セキュリティクラウド,県,"2,400,000",可,{towns[1].code}:12000:80\r\n'
    )
    bad = good + (
        "生成AI,事業部門,ロボット,県,-5,たぶん,999999:1:1\r\n,ツール,AIチャットボット,,,,\r\n"
    )
    response = client.post(
        "/staff/region/systems/import/", {"file": _upload(bad.encode("cp932"), "bad.csv")}
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "3行目（system_type）：システム種別は",
        "3行目（annual_cost）：金額は0以上の整数",
        "3行目（spec_shareable）",
        "3行目（participants）：団体コード「999999」はこの都道府県の団体にありません。",
        "4行目（name）：システム名が空です。",
    ):
        assert message in page, message
    assert not JointSystem.objects.filter(name="セキュリティクラウド").exists()

    response = client.post(
        "/staff/region/systems/import/", {"file": _upload(good.encode("cp932"), "good.csv")}
    )
    assert response.status_code == 302
    created = JointSystem.objects.get(name="セキュリティクラウド")
    assert (created.domain, created.annual_cost, created.spec_shareable) == (
        "general",
        2_400_000,
        True,
    )
    assert created.participants.get().municipality == towns[1]

    # Re-import of our own export updates in place (ids), no duplicates.
    again = client.post(
        "/staff/region/systems/import/", {"file": _upload(exported.content, "again.csv")}
    )
    assert again.status_code == 302
    assert JointSystem.objects.filter(name="AI議事録").count() == 1


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_public_page_shows_only_public_systems_without_sign_in(client, kochi, shizuoka):
    public = JointSystemFactory(name="公開する共同調達", public=True, vendor="ベンダーC")
    ParticipationFactory(system=public, municipality=kochi["towns"][0], population=19_000)
    JointSystemFactory(prefecture=shizuoka["prefecture"], name="静岡の公開システム", public=True)
    hidden = JointSystemFactory(name="非公開の調達")
    page = client.get("/region/procurement/").content.decode()
    assert "公開する共同調達" in page and "静岡の公開システム" in page
    assert "非公開の調達" not in page
    assert "都道府県ごとの件数" in page and "高知県" in page and "静岡県" in page
    detail = client.get(f"/region/procurement/{public.pk}/").content.decode()
    assert "宿毛市" in detail and "ベンダーC" in detail
    assert client.get(f"/region/procurement/{hidden.pk}/").status_code == 404


def test_madoguchi_lists_itself_with_measured_usage(client, kochi):
    towns = kochi["towns"]
    ApplicationFactory.create_batch(3, municipality=towns[0], submitted_at=timezone.now())
    FaqQueryLogFactory.create_batch(2, municipality=towns[1])
    towns[5].is_active = False
    towns[5].save()
    login(client, prefecture_user(kochi["prefecture"]))
    response = client.post("/staff/region/systems/madoguchi/")
    system = JointSystem.objects.get(is_madoguchi=True)
    assert response["Location"] == f"/staff/region/systems/{system.pk}/"
    assert system.participants.count() == 5  # the inactive one is not taking part
    page = client.get(response["Location"]).content.decode()
    assert "Madoguchi の利用実績" in page
    assert (
        '<th scope="row">宿毛市</th><td class="rg-num">3</td><td class="rg-num">0</td><td class="rg-num">0</td>'
        in page
    )
    assert (
        '<th scope="row">土佐清水市</th><td class="rg-num">0</td><td class="rg-num">0</td><td class="rg-num">2</td>'
        in page
    )
    # Syncing again keeps one entry.
    client.post("/staff/region/systems/madoguchi/")
    assert JointSystem.objects.filter(is_madoguchi=True).count() == 1


# --- Cost sharing -------------------------------------------------------------------------------


def test_agreement_page_shows_the_same_shares_as_the_command(client, kochi):
    agreement = hata_agreement(kochi["towns"])
    login(client, prefecture_user(kochi["prefecture"], dx=False))
    page = client.get(f"/staff/region/agreements/{agreement.pk}/").content.decode()
    for yen in HATA_SHARES.values():
        assert f"<strong>{yen:,}</strong>" in page
    assert "<strong>48,000,000</strong>" in page
    data = json.loads(client.get(f"/staff/region/agreements/{agreement.pk}/agreement.json").content)
    from madoguchi.region.cost_sharing import compute, parse_agreement

    assert compute(parse_agreement(data)).as_dict()["shares"] == HATA_SHARES


def test_agreement_changes_are_recorded(client, kochi):
    towns = kochi["towns"]
    login(client, prefecture_user(kochi["prefecture"]))
    form = {
        "name": "AIチャットボット負担金",
        "fiscal_year": "2026",
        "total": "10000000",
        "weight_equal": "0.35",
        "weight_population": "0.15",
        "weight_usage": "0.5",
        "weight_need": "0",
        "population_exponent": "1",
        "rounding_unit": "1000",
        "rounding_mode": "floor",
        "population_source": "住民基本台帳人口",
        "population_date": "2026-01-01",
        "usage_source": "entered",
    }
    bad = client.post("/staff/region/agreements/new/", {**form, "weight_usage": "0.4"})
    assert bad.status_code == 400 and "合計を1にしてください" in bad.content.decode()
    response = client.post("/staff/region/agreements/new/", form)
    assert response.status_code == 302
    agreement = Agreement.objects.get(name="AIチャットボット負担金")
    members = {
        f"m{towns[0].code}-in": "1",
        f"m{towns[0].code}-population": "19000",
        f"m{towns[0].code}-usage": "800",
        f"m{towns[0].code}-need": "0",
        f"m{towns[1].code}-in": "1",
        f"m{towns[1].code}-population": "12000",
        f"m{towns[1].code}-usage": "200",
        f"m{towns[1].code}-need": "0",
    }
    assert (
        client.post(f"/staff/region/agreements/{agreement.pk}/members/", members).status_code == 302
    )
    client.post(f"/staff/region/agreements/{agreement.pk}/edit/", {**form, "total": "12000000"})
    del members[f"m{towns[1].code}-in"]
    client.post(f"/staff/region/agreements/{agreement.pk}/members/", members)
    summaries = list(
        AgreementChange.objects.filter(agreement=agreement)
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        "協定を作成しました。",
        "加入：宿毛市、加入：土佐清水市",
        "変更：総額（円）",
        "脱退：土佐清水市",
    ]
    last = AgreementChange.objects.filter(agreement=agreement).latest("pk")
    assert last.snapshot["total"] == 12_000_000 and len(last.snapshot["members"]) == 1
    page = client.get(f"/staff/region/agreements/{agreement.pk}/").content.decode()
    assert "脱退：土佐清水市" in page


def test_what_if_a_municipality_leaves_or_joins(client, kochi):
    towns = kochi["towns"]
    agreement = hata_agreement(towns[:5])
    login(client, prefecture_user(kochi["prefecture"], dx=False))
    page = client.get(
        f"/staff/region/agreements/{agreement.pk}/", {"leave": towns[0].code, "join": towns[5].code}
    ).content.decode()
    assert "試算の結果" in page
    assert "（脱退）" in page and "（加入）" in page
    # Nothing was stored.
    assert agreement.members.count() == 5


def test_usage_from_madoguchi_counts(client, kochi):
    towns = kochi["towns"]
    agreement = hata_agreement(towns)
    agreement.usage_source = UsageSource.APPLICATIONS
    today = timezone.localdate()
    agreement.usage_from, agreement.usage_to = today - timedelta(days=30), today
    agreement.save()
    ApplicationFactory.create_batch(2, municipality=towns[0], submitted_at=timezone.now())
    ApplicationFactory(municipality=towns[1], submitted_at=timezone.now() - timedelta(days=60))
    login(client, prefecture_user(kochi["prefecture"]))
    client.post(f"/staff/region/agreements/{agreement.pk}/usage/")
    usage = dict(
        AgreementMember.objects.filter(agreement=agreement).values_list(
            "municipality__code", "usage"
        )
    )
    assert usage[towns[0].code] == Decimal(2)
    assert usage[towns[1].code] == Decimal(0)  # outside the window
    assert "利用量を Madoguchi の実績で更新" in agreement.changes.latest("pk").summary


# --- Statements and access ----------------------------------------------------------------------


def test_a_municipality_sees_only_its_own_statement(client, kochi):
    towns = kochi["towns"]
    agreement = hata_agreement(towns)
    manager = StaffUserFactory(municipality=towns[0], manager=True)
    login(client, manager)
    own = client.get(f"/staff/region/agreements/{agreement.pk}/statements/{towns[0].code}/")
    assert own.status_code == 200
    assert f"{HATA_SHARES[towns[0].code]:,} 円" in own.content.decode()
    csv_text = client.get(
        f"/staff/region/agreements/{agreement.pk}/statements/{towns[0].code}.csv"
    ).content.decode("utf-8-sig")
    assert towns[0].code in csv_text and str(HATA_SHARES[towns[0].code]) in csv_text
    assert towns[1].code not in csv_text
    pdf = client.get(f"/staff/region/agreements/{agreement.pk}/statements/{towns[0].code}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "負担金の明細（2026年度）" in text and towns[0].name in text
    assert f"{HATA_SHARES[towns[0].code]:,}" in text and towns[1].name not in text
    assert pdf_fonts_embedded(pdf.content) >= {"IPAexGothic", "IPAexMincho"}
    assert (
        client.get(
            f"/staff/region/agreements/{agreement.pk}/statements/{towns[1].code}.pdf"
        ).status_code
        == 404
    )
    # A neighbour's statement, the whole agreement, its shares: not for a municipality.
    assert (
        client.get(
            f"/staff/region/agreements/{agreement.pk}/statements/{towns[1].code}/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/staff/region/agreements/{agreement.pk}/statements/{towns[1].code}.csv"
        ).status_code
        == 404
    )
    assert client.get(f"/staff/region/agreements/{agreement.pk}/").status_code == 403
    assert client.get(f"/staff/region/agreements/{agreement.pk}/shares.csv").status_code == 403
    listing = client.get("/staff/region/agreements/").content.decode()
    assert agreement.name in listing
    # Counter staff do not read statements at all.
    login(client, StaffUserFactory(municipality=towns[0], counter=True))
    assert (
        client.get(
            f"/staff/region/agreements/{agreement.pk}/statements/{towns[0].code}/"
        ).status_code
        == 403
    )


def test_a_municipality_outside_the_agreement_gets_not_found(client, kochi):
    towns = kochi["towns"]
    agreement = hata_agreement(towns[:5])
    login(client, StaffUserFactory(municipality=towns[5], manager=True))
    assert (
        client.get(
            f"/staff/region/agreements/{agreement.pk}/statements/{towns[5].code}/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/staff/region/agreements/{agreement.pk}/statements/{towns[0].code}/"
        ).status_code
        == 404
    )
    assert agreement.name not in client.get("/staff/region/agreements/").content.decode()


def test_a_prefecture_sees_its_municipalities_and_another_gets_not_found(client, kochi, shizuoka):
    towns = kochi["towns"]
    agreement = hata_agreement(towns)
    login(client, prefecture_user(kochi["prefecture"], dx=False))
    for town in towns:
        assert (
            client.get(
                f"/staff/region/agreements/{agreement.pk}/statements/{town.code}/"
            ).status_code
            == 200
        )
    other = prefecture_user(shizuoka["prefecture"])
    login(client, other)
    for path in (
        f"/staff/region/agreements/{agreement.pk}/",
        f"/staff/region/agreements/{agreement.pk}/edit/",
        f"/staff/region/agreements/{agreement.pk}/members/",
        f"/staff/region/agreements/{agreement.pk}/agreement.json",
        f"/staff/region/agreements/{agreement.pk}/shares.csv",
        f"/staff/region/agreements/{agreement.pk}/statements/{towns[0].code}/",
        f"/staff/region/agreements/{agreement.pk}/statements/{towns[0].code}.csv",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/staff/region/agreements/{agreement.pk}/usage/").status_code == 404
    assert agreement.name not in client.get("/staff/region/agreements/").content.decode()
    # And it cannot add another prefecture's municipality to its own agreement.
    theirs = Agreement.objects.create(
        prefecture=shizuoka["prefecture"],
        name="静岡の協定",
        fiscal_year=2026,
        total=1000,
        weight_equal=Decimal(1),
    )
    with pytest.raises(Exception, match="静岡県の団体ではありません"):
        services.agreement_members_set(
            agreement=theirs,
            members=[services.MemberInput(towns[0], 1, Decimal(0), Decimal(0))],
            actor=other,
        )


def test_prefecture_roles_need_a_prefecture():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        StaffUserFactory(role=Role.PREFECTURE_DX)  # with a municipality: refused


def test_the_demo_loads_the_prefecture_console_and_is_rerunnable(client):
    from django.core.management import call_command

    from madoguchi.demo import DEMO_PASSWORD

    call_command("demo_load", verbosity=0)
    call_command("demo_load", verbosity=0)
    assert JointSystem.objects.filter(is_madoguchi=True).count() == 1
    assert Agreement.objects.count() == 1
    user = StaffUserFactory._meta.model.objects.get(username="demo-prefecture")
    assert user.check_password(DEMO_PASSWORD)
    login(client, user)
    agreement = Agreement.objects.get()
    page = client.get(f"/staff/region/agreements/{agreement.pk}/").content.decode()
    assert "<strong>6,000,000</strong>" in page
    # The survey (last year closed, this year open) and the talent pool, loaded once.
    from madoguchi.region.models import Need, Specialist, Survey

    assert Survey.objects.count() == 2 and Specialist.objects.count() == 6
    assert Need.objects.count() == 3
    this_year = Survey.objects.get(status="open")
    results = client.get(f"/staff/region/surveys/{this_year.pk}/results/").content.decode()
    assert "2 / 3" in results
    need = Need.objects.get(title="書かない窓口を来年度から始めたい")
    assert "適合度" in client.get(f"/staff/region/talent/needs/{need.pk}/").content.decode()
    # The liaison desk: three consultations and a 出前講座 request, one answer published.
    from madoguchi.region.models import Consultation, KnowledgeEntry, NoticeDelivery

    assert Consultation.objects.count() == 4 and KnowledgeEntry.objects.count() == 1
    assert Consultation.objects.filter(kind="lecture").count() == 1
    listing = client.get("/staff/region/liaison/").content.decode()
    assert "管理職向けDX研修（出前講座）" in listing
    manager = StaffUserFactory._meta.model.objects.get(username="demo-manager")
    assert NoticeDelivery.objects.filter(staff=manager).exists()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(st.text(max_size=12), min_size=1, max_size=6),
        min_size=0,
        max_size=5,
    )
)
def test_csv_import_of_any_text_never_breaks_and_writes_all_or_nothing(kochi, rows):
    import csv
    import io

    from madoguchi.region import csv_io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "domain", "system_type", "participants"])
    writer.writerows(rows)
    before = JointSystem.objects.count()
    result = csv_io.import_csv(prefecture=kochi["prefecture"], data=out.getvalue().encode())
    after = JointSystem.objects.count()
    if result.errors:
        assert after == before
        assert all(str(e) for e in result.errors)
    else:
        assert after == before + result.created


def test_measured_usage_reads_each_apps_counts_in_the_window(kochi, shizuoka):
    from madoguchi.region.usage import measured_usage
    from madoguchi.reservations import services as reservation_services
    from madoguchi.reservations.models import Booking
    from madoguchi.reservations.tests.factories import at, hall, working_day
    from madoguchi.tenancy.access import Scope

    town = kochi["towns"][0]
    _, service, _ = hall(municipality=town, windows=2)
    day = working_day(timezone.localdate())
    for i, token in enumerate(("t1", "t2", "t3")):
        reservation_services.booking_create(
            municipality=town,
            service=service,
            start=at(day, 10, 15 * i),
            name="山田 花子",
            phone="090-1234-5678",
            submission_token=token,
        )
    Booking.objects.filter(submission_token="t3").update(status=Booking.Status.CANCELLED)
    ApplicationFactory(municipality=town)
    FaqQueryLogFactory(municipality=town)
    ApplicationFactory(municipality=shizuoka["town"])  # another prefecture: not counted
    usage = measured_usage(
        scope=Scope.of_prefecture(kochi["prefecture"]),
        first=timezone.localdate() - timedelta(days=1),
        last=day,
    )
    assert (usage[town.pk].applications, usage[town.pk].bookings, usage[town.pk].faq_questions) == (
        1,
        2,
        1,
    )
    assert usage[town.pk].value(UsageSource.ALL) == 4
    assert usage[town.pk].value(UsageSource.BOOKINGS) == 2
    assert shizuoka["town"].pk not in usage
    assert set(usage) == {t.pk for t in kochi["towns"]}
    # A window before the visits counts none of them.
    earlier = measured_usage(
        scope=Scope.of_prefecture(kochi["prefecture"]),
        first=timezone.localdate() - timedelta(days=30),
        last=timezone.localdate() - timedelta(days=2),
    )
    assert earlier[town.pk].total == 0


def test_export_neutralises_formula_cells(client, kochi):
    """A system named like a spreadsheet formula is exported as text, not as a formula."""
    from madoguchi.core.tests.test_csv import HOSTILE, is_formula

    towns = kochi["towns"]
    for i, hostile in enumerate(HOSTILE):
        system = JointSystemFactory(name=f"{hostile}", vendor=hostile, system_type="ai_minutes")
        ParticipationFactory(system=system, municipality=towns[i % len(towns)])
    login(client, prefecture_user(kochi["prefecture"]))
    text = client.get("/staff/region/systems/export.csv").content.decode("utf-8-sig")
    import csv as csv_module
    import io

    cells = [cell for row in csv_module.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if is_formula(cell)]
    assert len(cells) > len(HOSTILE)
