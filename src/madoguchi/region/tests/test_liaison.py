"""The liaison desk: the status rule walked as a table, response-time figures, who sees which
consultation (a municipality its own, a prefecture its municipalities', another prefecture
nothing, a role without the region permission 403), the knowledge base found by an everyday
question, notices reaching the right staff through the notification path, and the asker mailed
when the consultation is answered."""

from __future__ import annotations

import smtplib
from datetime import date, datetime, timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import pdf_bytes
from madoguchi.core.models import AuditEvent
from madoguchi.notifications.models import Notification
from madoguchi.region.liaison import selectors, services
from madoguchi.region.models import (
    Consultation,
    ConsultationFile,
    ConsultationStatus,
    KnowledgeEntry,
    NoticeDelivery,
    Specialist,
)
from madoguchi.region.tests.factories import hata_municipalities, prefecture_user
from madoguchi.region.upload_services import store_checked_file
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

pytestmark = pytest.mark.django_db
S = ConsultationStatus


@pytest.fixture
def kochi():
    towns = hata_municipalities()
    prefecture = towns[0].prefecture
    return {
        "towns": towns,
        "prefecture": prefecture,
        "dx": prefecture_user(prefecture),
        "asker": StaffUserFactory(
            municipality=towns[0], manager=True, last_name="山田", first_name="花子"
        ),
    }


def ask(kochi, **fields):
    values = {
        "kind": "consultation",
        "topic": "kaizen",
        "title": "RPAの導入の進め方",
        "body": "税務課の入力作業をRPAで減らしたい。何から始めればよいか。",
        "may_publish": True,
        **fields,
    }
    return services.consultation_create(
        municipality=kochi["towns"][0], actor=kochi["asker"], **values
    )


# --- Status: every pair of the table, allowed or refused ---------------------------------------


@pytest.mark.parametrize("kind", ["consultation", "lecture"])
def test_every_status_change_follows_the_table(kochi, kind):
    table = services.TRANSITIONS[kind]
    extra = {"preferred_dates": [date(2026, 7, 1)]} if kind == "lecture" else {}
    for start, target in product(table, S.values):
        c = ask(kochi, kind=kind, **extra)
        Consultation.objects.filter(pk=c.pk).update(status=start)
        c.refresh_from_db()
        change = {"consultation": c, "actor": kochi["dx"], "status": target}
        if target in table[start]:
            services.consultation_set_status(**change, scheduled_on=date(2026, 7, 1))
            c.refresh_from_db()
            assert c.status == target
            assert (c.resolved_at is not None) == (target in services.RESOLVED)
        else:
            with pytest.raises(ValidationError):
                services.consultation_set_status(**change, scheduled_on=date(2026, 7, 1))
    # Statuses of the other kind never appear in a kind's table.
    assert set(services.TRANSITIONS["lecture"]).isdisjoint({S.IN_PROGRESS, S.ANSWERED, S.CLOSED})


def test_a_lecture_needs_a_date_to_be_scheduled_and_a_preferred_date_to_be_asked(kochi):
    with pytest.raises(ValidationError, match="希望日"):
        ask(kochi, kind="lecture")
    lecture = ask(kochi, kind="lecture", preferred_dates=[date(2026, 7, 3), date(2026, 7, 1)])
    assert lecture.preferred_dates == ["2026-07-01", "2026-07-03"]
    with pytest.raises(ValidationError, match="実施日"):
        services.consultation_set_status(
            consultation=lecture, actor=kochi["dx"], status=S.SCHEDULED
        )


def test_only_the_dx_team_of_the_prefecture_answers_and_moves_the_status(kochi):
    c = ask(kochi)
    viewer = prefecture_user(kochi["prefecture"], dx=False)
    other = prefecture_user(prefecture_for("221007"))
    for actor in (viewer, other, kochi["asker"]):
        with pytest.raises(ValidationError):
            services.consultation_set_status(consultation=c, actor=actor, status=S.ANSWERED)
    for actor in (viewer, other):
        with pytest.raises(ValidationError):
            services.consultation_reply(consultation=c, actor=actor, body="回答")


# --- Response time ------------------------------------------------------------------------------


def test_first_response_and_resolution_are_measured_with_monthly_medians(kochi):
    received = datetime(2026, 5, 7, 9, 0, tzinfo=timezone.get_current_timezone())
    cases = []
    for first_after, solved_after in ((2, 10), (4, None), (30, 50)):
        c = ask(kochi)
        Consultation.objects.filter(pk=c.pk).update(created_at=received)
        c.refresh_from_db()
        services.consultation_reply(
            consultation=c,
            actor=kochi["dx"],
            body="担当から連絡します。",
            now=received + timedelta(hours=first_after),
        )
        # A municipality's follow-up is not a response; the team's second reply changes nothing.
        services.consultation_reply(consultation=c, actor=kochi["asker"], body="補足です。")
        if solved_after:
            services.consultation_set_status(
                consultation=c,
                actor=kochi["dx"],
                status=S.CLOSED,
                now=received + timedelta(hours=solved_after),
            )
        c.refresh_from_db()
        cases.append(c)
    assert cases[0].status == S.CLOSED and cases[1].status == S.IN_PROGRESS
    assert selectors.hours_between(cases[0].created_at, cases[0].first_response_at) == 2.0
    [may] = selectors.response_figures(cases)
    assert (may.month, may.received, may.responded, may.resolved) == ("2026-05", 3, 3, 2)
    assert may.median_first_response_hours == 4.0
    assert may.median_resolution_hours == 30.0


def test_list_shows_the_response_hours_and_the_medians(client, kochi):
    c = ask(kochi)
    received = timezone.now() - timedelta(hours=5)
    Consultation.objects.filter(pk=c.pk).update(created_at=received)
    c.refresh_from_db()
    services.consultation_reply(
        consultation=c, actor=kochi["dx"], body="回答", now=received + timedelta(hours=3)
    )
    client.force_login(kochi["dx"])
    page = client.get("/staff/region/liaison/").content.decode()
    assert c.title in page and '<td class="rg-num">3.0</td>' in page
    assert "初回回答まで（中央値・時間）" in page


# --- Access -------------------------------------------------------------------------------------


def test_who_sees_which_consultation(client, kochi, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    towns = kochi["towns"]
    upload = SimpleUploadedFile("資料.pdf", pdf_bytes(), content_type="application/pdf")
    own = ask(kochi, files=[upload])
    stored = ConsultationFile.objects.get()
    assert stored.file.name == f"region/liaison/{towns[0].code}/{stored.id}"
    neighbour = services.consultation_create(
        municipality=towns[1], actor=None, kind="consultation", topic="data", title="隣の相談",
        body="x",
    )  # fmt: skip
    base = f"/staff/region/liaison/{own.pk}"
    pages = ["/", "/publish/", f"/files/{stored.id}/"]
    posts = {
        "/reply/": {"body": "越境"},
        "/triage/": {"topic": "data", "priority": "high"},
        "/status/": {"status": "answered"},
        "/publish/": {"title": "t", "question": "q", "answer": "a"},
    }

    def answers(user):
        client.force_login(user)
        got = {p: client.get(base + p).status_code for p in pages}
        got |= {f"POST {p}": client.post(base + p, body).status_code for p, body in posts.items()}
        return got

    # The asking municipality: its own case and file; the prefecture's pages are closed to it.
    client.force_login(kochi["asker"])
    assert client.get(f"{base}/").status_code == 200
    assert client.get(f"/staff/region/liaison/{neighbour.pk}/").status_code == 404
    assert client.get(f"{base}/files/{stored.id}/").status_code == 200
    listing = client.get("/staff/region/liaison/").content.decode()
    assert own.title in listing and "隣の相談" not in listing
    # A neighbour town's manager: not found, whatever the page.
    neighbour_staff = StaffUserFactory(municipality=towns[1], manager=True)
    assert set(answers(neighbour_staff).values()) <= {403, 404}
    assert answers(neighbour_staff)[f"/files/{stored.id}/"] == 404
    # A role without the region permission: 403 everywhere, the list too.
    counter = StaffUserFactory(municipality=towns[0], counter=True)
    assert set(answers(counter).values()) == {403}
    assert client.get("/staff/region/liaison/").status_code == 403
    # Another prefecture's DX team: 404 everywhere, and nothing in its list.
    shizuoka = prefecture_for("221007")
    MunicipalityFactory(code="221007", prefecture=shizuoka)
    assert set(answers(prefecture_user(shizuoka)).values()) == {404}
    assert own.title not in client.get("/staff/region/liaison/").content.decode()
    # The prefecture's viewer reads but does not write.
    viewer = answers(prefecture_user(kochi["prefecture"], dx=False))
    assert viewer["/"] == 200 and viewer["POST /status/"] == 403
    assert viewer["POST /reply/"] == 302  # refused by the service, with a message
    own.refresh_from_db()
    assert own.status == S.RECEIVED and not own.messages.exists()
    # Every view of a case is audited (it shows staff names and free text).
    dx = kochi["dx"]
    client.force_login(dx)
    before = AuditEvent.objects.filter(actor=dx).count()
    assert client.get(f"{base}/").status_code == 200
    event = AuditEvent.objects.filter(actor=dx).latest("pk")
    assert AuditEvent.objects.filter(actor=dx).count() == before + 1
    assert (event.object_type, event.object_id) == ("region.consultation", str(own.pk))


def test_a_file_whose_row_cannot_be_stored_leaves_nothing_in_the_store(kochi, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    upload = SimpleUploadedFile("資料.pdf", pdf_bytes(), content_type="application/pdf")
    with pytest.raises(IntegrityError), transaction.atomic():
        # No consultation: the row is refused by the database after the file was written.
        store_checked_file(
            ConsultationFile, upload, municipality=kochi["towns"][0], consultation_id=None
        )
    assert not ConsultationFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # The same upload stored for a real consultation: one file, in the liaison folder.
    stored = store_checked_file(
        ConsultationFile, upload, municipality=kochi["towns"][0], consultation=ask(kochi)
    )
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [str(stored.id)]
    assert str(stored) == str(stored.id) and stored.size == len(pdf_bytes())


def test_the_dx_team_triages_assigns_an_expert_and_answers(client, kochi):
    c = ask(kochi)
    expert = Specialist.objects.create(
        prefecture=kochi["prefecture"], name="江藤 美咲", role="engineer", skills=["ai_rpa"]
    )
    stranger = Specialist.objects.create(
        prefecture=prefecture_for("221007"), name="他県 太郎", role="engineer"
    )
    client.force_login(kochi["dx"])
    base = f"/staff/region/liaison/{c.pk}"
    refused = client.post(
        f"{base}/triage/", {"topic": "data", "priority": "high", "expert": stranger.pk}
    )
    assert refused.status_code == 302
    c.refresh_from_db()
    assert c.expert is None and c.priority == "normal"
    client.post(
        f"{base}/triage/",
        {"topic": "data", "priority": "high", "liaison": kochi["dx"].pk, "expert": expert.pk},
    )
    client.post(f"{base}/reply/", {"body": "まず業務の棚卸しから始めましょう。"})
    client.post(f"{base}/status/", {"status": "answered"})
    c.refresh_from_db()
    assert (c.topic, c.priority, c.liaison, c.expert) == ("data", "high", kochi["dx"], expert)
    assert c.status == S.ANSWERED and c.first_response_at is not None
    client.force_login(kochi["asker"])
    page = client.get(f"{base}/").content.decode()
    assert "まず業務の棚卸しから始めましょう。" in page and "回答済" in page
    assert "江藤 美咲" in page


# --- Knowledge base -----------------------------------------------------------------------------


def answered(kochi, **fields):
    c = ask(kochi, **fields)
    services.consultation_reply(
        consultation=c,
        actor=kochi["dx"],
        body=(
            "山田さん、まず入力が多い業務を洗い出し、手順が決まっている作業から"
            "RPAのシナリオを作ります。県の共同調達のRPAを使えます。"
            "詳しくは dx@pref.example.jp（088-123-4567）へ。"
        ),
    )
    services.consultation_set_status(consultation=c, actor=kochi["dx"], status=S.ANSWERED)
    return c


def test_a_published_answer_has_no_names_and_an_everyday_question_finds_it(kochi):
    c = answered(kochi)
    draft = services.knowledge_draft(consultation=c)
    answer = draft["answer"]
    assert "山田" not in answer and "dx@pref" not in answer and "088-123" not in answer
    assert "（氏名）さん" in answer
    # The DX team's edits are cleaned once more.
    entry = services.knowledge_publish(
        consultation=c, actor=kochi["dx"], **{**draft, "answer": answer + "\n山田 花子"}
    )
    assert "山田" not in entry.answer and entry.population_class == "〜5万"
    other = answered(kochi, topic="security", title="パスワードの決まり", body="職員のパスワード")
    services.knowledge_publish(
        consultation=other,
        actor=kochi["dx"],
        title="パスワードの決まり",
        question="職員のパスワード",
        answer="12文字以上",
    )
    prefecture_id = kochi["prefecture"].pk
    found = selectors.knowledge_search(
        prefecture_id=prefecture_id, query="パソコンの入力作業を自動化したい"
    )
    assert found and found[0] == entry
    assert selectors.knowledge_search(prefecture_id=prefecture_id, query="ＲＰＡ")[0] == entry
    # Another prefecture's base is separate.
    assert selectors.knowledge_search(prefecture_id=prefecture_for("221007").pk, query="RPA") == []


def test_publishing_needs_consent_an_answer_and_the_dx_team(kochi):
    refused = answered(kochi, may_publish=False)
    with pytest.raises(ValidationError, match="同意"):
        services.knowledge_publish(
            consultation=refused, actor=kochi["dx"], title="t", question="q", answer="a"
        )
    fresh = ask(kochi)
    with pytest.raises(ValidationError, match="回答済"):
        services.knowledge_publish(
            consultation=fresh, actor=kochi["dx"], title="t", question="q", answer="a"
        )
    ok = answered(kochi)
    viewer = prefecture_user(kochi["prefecture"], dx=False)
    with pytest.raises(ValidationError):
        services.knowledge_publish(
            consultation=ok, actor=viewer, title="t", question="q", answer="a"
        )
    assert not KnowledgeEntry.objects.exists()


def test_municipalities_search_the_knowledge_base_over_http(client, kochi):
    c = answered(kochi)
    client.force_login(kochi["dx"])
    form = client.get(f"/staff/region/liaison/{c.pk}/publish/").content.decode()
    assert "（氏名）さん" in form and "山田" not in form.split("<form")[1]
    draft = services.knowledge_draft(consultation=c)
    sent = client.post(f"/staff/region/liaison/{c.pk}/publish/", draft)
    assert sent.status_code == 302
    client.force_login(StaffUserFactory(municipality=kochi["towns"][5], manager=True))
    page = client.get("/staff/region/liaison/knowledge/", {"q": "入力作業を自動化したい"})
    assert "RPAのシナリオ" in page.content.decode()
    empty = client.get("/staff/region/liaison/knowledge/", {"q": "xyzzy"}).content.decode()
    assert "合う事例が見つかりませんでした" in empty
    assert client.get("/staff/region/liaison/knowledge/", {"q": "a" * 500}).status_code == 200


# --- The mail when a consultation is answered ---------------------------------------------------


def _answer(client, kochi, consultation):
    client.force_login(kochi["dx"])
    base = f"/staff/region/liaison/{consultation.pk}"
    client.post(f"{base}/reply/", {"body": "まず業務の棚卸しから始めましょう。"})
    return client.post(f"{base}/status/", {"status": "answered"})


def test_the_asker_is_mailed_once_when_the_consultation_is_answered(
    client, kochi, mailoutbox, django_capture_on_commit_callbacks
):
    towns = kochi["towns"]
    asker = kochi["asker"]
    asker.email = "yamada@town.example.jp"
    asker.save(update_fields=["email"])
    colleague = StaffUserFactory(municipality=towns[0], manager=True, email="k@town.example.jp")
    neighbour = StaffUserFactory(municipality=towns[1], manager=True, email="n@town.example.jp")
    own = ask(kochi)
    theirs = services.consultation_create(
        municipality=towns[1], actor=neighbour, kind="consultation", topic="data",
        title="隣の相談", body="x",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert _answer(client, kochi, own).status_code == 302
    own.refresh_from_db()
    assert own.status == S.ANSWERED

    # One mail through the one path, to the asker only: not a colleague, not the neighbour.
    def queued():
        return Notification.objects.filter(template="region/consultation_answered")

    assert [(n.municipality, n.reference) for n in queued()] == [(towns[0], str(own.pk))]
    assert [m.to for m in mailoutbox] == [["yamada@town.example.jp"]]
    mail = mailoutbox[0]
    assert "RPAの導入の進め方" in mail.subject and "回答しました" in mail.subject
    assert f"/staff/region/liaison/{own.pk}/" in mail.body
    # The title names the case; its text and the answer stay behind the sign-in.
    assert "税務課" not in mail.body + mail.subject and "棚卸し" not in mail.body
    # A reply or another status is not an answer: no mail.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/region/liaison/{theirs.pk}/reply/", {"body": "確認します。"})
        client.post(f"/staff/region/liaison/{theirs.pk}/status/", {"status": "closed"})
    assert queued().count() == 1 and len(mailoutbox) == 1
    assert colleague.email not in {a for m in mailoutbox for a in m.to}
    # An asker whose account was closed before the mail went out is not mailed.
    again = ask(kochi, title="二度目の相談")
    asker.is_active = False
    asker.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, kochi, again)
    assert queued().count() == 2 and len(mailoutbox) == 1
    assert queued().get(reference=str(again.pk)).state == Notification.State.CANCELLED


def test_a_mail_server_that_is_down_does_not_undo_the_answer(
    client, kochi, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    kochi["asker"].email = "yamada@town.example.jp"
    kochi["asker"].save(update_fields=["email"])
    c = ask(kochi)
    with django_capture_on_commit_callbacks(execute=True):
        answered = _answer(client, kochi, c)
    assert answered.status_code == 302
    c.refresh_from_db()
    assert c.status == S.ANSWERED and c.messages.count() == 1
    notification = Notification.objects.get(template="region/consultation_answered")
    assert notification.state == Notification.State.QUEUED
    assert notification.attempts == 1 and notification.last_error == "SMTPServerDisconnected"


# --- Notices ------------------------------------------------------------------------------------


def test_notices_reach_the_right_staff_through_the_notification_path(
    client, kochi, mailoutbox, django_capture_on_commit_callbacks
):
    towns = kochi["towns"]
    chosen = StaffUserFactory(municipality=towns[1], manager=True, email="a@town.example.jp")
    admin = StaffUserFactory(municipality=towns[1], admin=True, email="")
    counter = StaffUserFactory(municipality=towns[1], counter=True, email="c@town.example.jp")
    elsewhere = StaffUserFactory(municipality=towns[2], manager=True, email="e@town.example.jp")
    client.force_login(kochi["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/staff/region/liaison/notices/new/",
            {
                "title": "出前講座のご案内",
                "body": "7月に講座を開きます。",
                "targets": [towns[1].pk],
            },
        )
    assert sent.status_code == 302
    deliveries = NoticeDelivery.objects.all()
    assert {d.staff for d in deliveries} == {chosen, admin}
    assert counter not in {d.staff for d in deliveries} and elsewhere.pk not in {
        d.staff_id for d in deliveries
    }
    # One mail each through the one path, to those with an address.
    queued = Notification.objects.filter(template="region/notice")
    assert [n.municipality for n in queued] == [towns[1]]
    assert [m.to for m in mailoutbox] == [["a@town.example.jp"]]
    assert "出前講座のご案内" in mailoutbox[0].subject and "/staff/region/liaison/notices/" in (
        mailoutbox[0].body
    )
    # The staff see it listed, unread, then read; the neighbour does not see it at all.
    notice = deliveries[0].notice
    client.force_login(chosen)
    assert "未読" in client.get("/staff/region/liaison/notices/").content.decode()
    assert (
        "7月に講座を開きます。"
        in client.get(f"/staff/region/liaison/notices/{notice.pk}/").content.decode()
    )
    assert "未読" not in client.get("/staff/region/liaison/notices/").content.decode()
    client.force_login(elsewhere)
    assert client.get(f"/staff/region/liaison/notices/{notice.pk}/").status_code == 404
    assert "出前講座のご案内" not in client.get("/staff/region/liaison/notices/").content.decode()
    client.force_login(counter)
    assert client.get("/staff/region/liaison/notices/").status_code == 403
    # The prefecture reads how far it reached, per municipality, without names.
    client.force_login(kochi["dx"])
    page = client.get(f"/staff/region/liaison/notices/{notice.pk}/").content.decode()
    main = page.split("<main")[1]
    assert f'{towns[1].name}</th><td class="rg-num">2</td><td class="rg-num">1</td>' in main
    assert chosen.get_full_name() not in main and chosen.username not in main
    # To all municipalities: every town's taking-part staff.
    everyone = services.notice_send(
        prefecture=kochi["prefecture"], actor=kochi["dx"], title="全体", body="b", to_all=True,
        targets=[],
    )  # fmt: skip
    assert everyone.targets.count() == len(towns)
    assert elsewhere in {d.staff for d in everyone.deliveries.all()}
    with pytest.raises(ValidationError):
        services.notice_send(
            prefecture=kochi["prefecture"], actor=kochi["dx"], title="t", body="b", to_all=False,
            targets=[MunicipalityFactory(code="221007", prefecture=prefecture_for("221007"))],
        )  # fmt: skip
