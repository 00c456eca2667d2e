"""The talent pool: matching explained feature by feature on the demo's realistic data set,
assignments and visits, and who sees what (contact details: the DX team only, audited)."""

from __future__ import annotations

from datetime import date

import pytest

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.core.models import AuditEvent
from madoguchi.region.models import Assignment, Need, Specialist, Visit
from madoguchi.region.talent import demo, selectors
from madoguchi.region.talent.matching import Candidate, Wanted, match
from madoguchi.region.tests.factories import hata_municipalities, prefecture_user
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool():
    towns = hata_municipalities()
    demo.load(prefecture=towns[0].prefecture, towns=towns, actor=None)
    return {"towns": towns, "prefecture": towns[0].prefecture}


def test_each_feature_scores_by_its_stated_rule():
    wanted = Wanted(
        role="engineer", skills=frozenset({"ai_rpa", "data"}), municipality_id=1, days=4,
        remote_ok=True,
    )  # fmt: skip
    base = Candidate(1, "A", "engineer", frozenset({"ai_rpa", "data"}), 1, frozenset(), False, 4)
    assert match(wanted, base, {}).score == 100
    other = Candidate(2, "B", "producer", frozenset({"data"}), None, frozenset({1}), True, 2)
    features = {f.key: f for f in match(wanted, other, {}).features}
    assert [features[k].points for k in ("skills", "role", "area", "availability")] == [
        20,
        0,
        15,
        8,
    ]
    remote = Candidate(3, "C", "engineer", frozenset(), None, frozenset(), True, 0)
    assert {f.key: f.points for f in match(wanted, remote, {}).features}["area"] == 8
    assert match(wanted, remote, {}).score == 25 + 8
    away = Candidate(4, "D", "engineer", frozenset(), None, frozenset(), False, 8)
    assert {f.key: f.points for f in match(wanted, away, {}).features}["area"] == 0


def test_the_matching_on_the_demo_pool_is_explained(pool):
    towns = pool["towns"]
    kakanai = Need.objects.get(title="書かない窓口を来年度から始めたい")  # 土佐清水市, visits only
    ranked = selectors.matches(need=kakanai)
    top = ranked[0]
    # 青木: service designer, 3 of the 3 fields (kakanai, ux, bpr), visits 土佐清水市, 4 free days.
    assert top.candidate.name == "青木 さくら" and top.score == 40 + 25 + 15 + 15
    reasons = [f.reason for f in top.features]
    assert reasons == [
        "求める3分野のうち3分野が一致（業務改善（BPR）、書かない窓口、利用者調査・UX）",
        "役割が一致（サービスデザイナー）",
        "訪問できる市町村に含まれる",
        "月2日が必要、空きは月4日",
    ]
    # 大森: same role, UX only, online-only while the town wants visits: area 0.
    omori = next(m for m in ranked if m.candidate.name == "大森 拓也")
    assert [f.points for f in omori.features] == [13, 25, 0, 8]
    assert omori.features[2].reason == "訪問圏外で、オンラインでの支援も条件が合わない"
    # 加藤: project manager, kakanai + bpr, based elsewhere and no remote → 27 + 0 + 0 + 15.
    kato = next(m for m in ranked if m.candidate.name == "加藤 由紀")
    assert kato.score == 27 + 0 + 0 + 15
    # The role weighs more than the area: 大森 (46) ranks above 加藤 (42).
    assert [m.candidate.name for m in ranked[:3]] == ["青木 さくら", "大森 拓也", "加藤 由紀"]
    assert towns[1] == kakanai.municipality


def test_assigning_keeps_the_explanation_and_uses_the_free_days(client, pool):
    need = Need.objects.get(title="標準準拠システムへの移行計画")
    ishida = Specialist.objects.get(name="石田 健")
    client.force_login(prefecture_user(pool["prefecture"]))
    page = client.get(f"/staff/region/talent/needs/{need.pk}/").content.decode()
    assert "適合度 95点" in page and "訪問できる市町村に含まれる" in page
    sent = client.post(
        f"/staff/region/talent/needs/{need.pk}/assign/",
        {"specialist": ishida.pk, "starts_on": "2026-05-01"},
    )
    assert sent.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.score == 95 and assignment.explanation[0]["key"] == "skills"
    need.refresh_from_db()
    assert need.status == "assigned"
    # 石田 offered 3 days; 2 are taken now, so another 2-day need finds 1 free day.
    other = Need.objects.get(title="DX推進の全体方針をつくる")
    found = next(m for m in selectors.matches(need=other) if m.candidate.id == ishida.pk)
    assert found.features[3].reason == "月1日が必要、空きは月1日"
    visit = client.post(
        f"/staff/region/talent/needs/{need.pk}/visits/",
        {
            "assignment": assignment.pk,
            "visited_on": "2026-05-12",
            "hours": "3",
            "topic": "移行計画の初回打合せ",
            "online": "on",
        },
    )
    assert visit.status_code == 302 and Visit.objects.get().topic == "移行計画の初回打合せ"
    history = client.get(f"/staff/region/talent/specialists/{ishida.pk}/").content.decode()
    assert "移行計画" in history and need.municipality.name in history
    # A specialist of another prefecture cannot be assigned.
    stranger = Specialist.objects.create(
        prefecture=prefecture_for("221007"), name="他県 太郎", role="engineer"
    )
    refused = client.post(
        f"/staff/region/talent/needs/{other.pk}/assign/",
        {"specialist": stranger.pk, "starts_on": "2026-05-01"},
    )
    assert refused.status_code == 400 and not Assignment.objects.filter(specialist=stranger)


def test_contact_details_only_for_the_prefectures_dx_team_and_audited(client, pool):
    aoki = Specialist.objects.get(name="青木 さくら")
    contact = f"/staff/region/talent/specialists/{aoki.pk}/contact/"
    viewer = prefecture_user(pool["prefecture"], dx=False)
    client.force_login(viewer)
    profile = client.get(f"/staff/region/talent/specialists/{aoki.pk}/").content.decode()
    assert "青木 さくら" in profile and aoki.email not in profile and "090-" not in profile
    assert aoki.email not in client.get("/staff/region/talent/").content.decode()
    assert client.get(contact).status_code == 403
    dx = prefecture_user(pool["prefecture"])
    client.force_login(dx)
    before = AuditEvent.objects.count()
    page = client.get(contact).content.decode()
    assert aoki.email in page and "090-0000-0000" in page
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("pk").actor_id == dx.pk
    # A municipality sees its need and the assigned specialist's name, never the contact.
    town = pool["towns"][1]
    need = Need.objects.get(municipality=town)
    manager = StaffUserFactory(municipality=town, manager=True)
    client.force_login(manager)
    mine = client.get(f"/staff/region/talent/needs/{need.pk}/").content.decode()
    assert need.title in mine and aoki.email not in mine and "適合度" not in mine
    assert client.get(contact).status_code == 403
    assert client.get(f"/staff/region/talent/specialists/{aoki.pk}/").status_code == 403
    # …and not a neighbour's need.
    neighbour = Need.objects.exclude(municipality=town).first()
    assert client.get(f"/staff/region/talent/needs/{neighbour.pk}/").status_code == 404
    # Another prefecture's DX team sees none of it.
    shizuoka = prefecture_for("221007")
    MunicipalityFactory(code="221007", prefecture=shizuoka)
    client.force_login(prefecture_user(shizuoka))
    assert client.get(contact).status_code == 404
    assert client.get(f"/staff/region/talent/needs/{need.pk}/").status_code == 404
    assert "青木" not in client.get("/staff/region/talent/").content.decode()


def test_a_municipality_posts_a_need(client, pool):
    town = pool["towns"][4]
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    sent = client.post(
        "/staff/region/talent/needs/new/",
        {
            "title": "RPAで税務の入力を減らしたい",
            "role": "engineer",
            "skills": ["ai_rpa"],
            "description": "固定資産税の入力作業が多い。",
            "days_per_month": "2",
            "remote_ok": "on",
        },
    )
    assert sent.status_code == 302
    need = Need.objects.get(title="RPAで税務の入力を減らしたい")
    assert need.municipality == town and need.skills == ["ai_rpa"]
    bad = client.post("/staff/region/talent/needs/new/", {"title": "", "role": "x"})
    assert bad.status_code == 400


def test_the_dx_team_ends_an_assignment_and_closes_a_need(client, pool):
    need = Need.objects.get(title="標準準拠システムへの移行計画")
    ishida = Specialist.objects.get(name="石田 健")
    dx = prefecture_user(pool["prefecture"])
    client.force_login(dx)
    client.post(
        f"/staff/region/talent/needs/{need.pk}/assign/",
        {"specialist": ishida.pk, "starts_on": "2026-05-01"},
    )
    assignment = Assignment.objects.get()
    page = client.get(f"/staff/region/talent/needs/{need.pk}/").content.decode()
    assert "石田 健さんの派遣を終了する" in page and "この依頼を終了する" in page
    # Neither a viewer nor the municipality may press them.
    town_manager = StaffUserFactory(municipality=need.municipality, manager=True)
    for user in (prefecture_user(pool["prefecture"], dx=False), town_manager):
        client.force_login(user)
        body = {"assignment": assignment.pk, "ends_on": "2026-06-30"}
        assert client.post(f"/staff/region/talent/needs/{need.pk}/end/", body).status_code == 403
        assert client.post(f"/staff/region/talent/needs/{need.pk}/close/").status_code == 403
        assert (
            "この依頼を終了する"
            not in client.get(f"/staff/region/talent/needs/{need.pk}/").content.decode()
        )
    client.force_login(dx)
    early = {"assignment": assignment.pk, "ends_on": "2026-04-01"}
    client.post(f"/staff/region/talent/needs/{need.pk}/end/", early)
    assignment.refresh_from_db()
    assert assignment.status == "active"  # before its start: refused
    end = {"assignment": assignment.pk, "ends_on": "2026-06-30"}
    assert client.post(f"/staff/region/talent/needs/{need.pk}/end/", end).status_code == 302
    assignment.refresh_from_db()
    need.refresh_from_db()
    assert (assignment.status, assignment.ends_on, assignment.ended_by) == (
        "ended",
        date(2026, 6, 30),
        dx,
    )
    assert need.status == "open"  # no one left on it: open again
    # Ishida's days are free again.
    found = next(m for m in selectors.matches(need=need) if m.candidate.id == ishida.pk)
    assert found.features[3].reason == "月2日が必要、空きは月3日"
    # Closing ends any active assignment and records who closed it.
    client.post(
        f"/staff/region/talent/needs/{need.pk}/assign/",
        {"specialist": ishida.pk, "starts_on": "2026-07-01"},
    )
    assert client.post(f"/staff/region/talent/needs/{need.pk}/close/").status_code == 302
    need.refresh_from_db()
    assert need.status == "closed" and need.closed_by == dx and need.closed_at is not None
    assert not need.assignments.filter(status="active").exists()
    again = client.post(
        f"/staff/region/talent/needs/{need.pk}/assign/",
        {"specialist": ishida.pk, "starts_on": "2026-08-01"},
    )
    assert again.status_code in (302, 400)
    assert not need.assignments.filter(status="active").exists()
    # Another prefecture's team: not found.
    client.force_login(prefecture_user(prefecture_for("221007")))
    assert client.post(f"/staff/region/talent/needs/{need.pk}/close/").status_code == 404
