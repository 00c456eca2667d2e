"""Staff analytics: most asked, unanswered, unhelpful per period; drafts; retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.faq import selectors, services
from madoguchi.faq.models import FaqEntry, FaqQueryLog, Status
from madoguchi.tenancy.tests.factories import MunicipalityFactory

from .factories import FaqQueryLogFactory

pytestmark = pytest.mark.django_db


def _aged(log: FaqQueryLog, days: int) -> None:
    FaqQueryLog.objects.filter(pk=log.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


def test_most_asked_unanswered_unhelpful_per_period() -> None:
    town = MunicipalityFactory()
    for _ in range(3):
        FaqQueryLogFactory(municipality=town, query="住民票", answered=True)
    FaqQueryLogFactory(municipality=town, query="住民票", unhelpful=True)
    FaqQueryLogFactory.create_batch(2, municipality=town, query="ドローンの許可", unanswered=True)
    old = FaqQueryLogFactory(municipality=town, query="古い質問", unanswered=True)
    _aged(old, 40)
    now = timezone.now()
    since = now - dt.timedelta(days=30)
    args = {"municipality": town, "since": since, "until": now + dt.timedelta(seconds=1)}
    top = selectors.most_asked(**args)
    assert [(s.example, s.count) for s in top] == [("住民票", 4), ("ドローンの許可", 2)]
    assert [s.example for s in selectors.unanswered(**args)] == ["ドローンの許可"]
    assert [(s.example, s.unhelpful) for s in selectors.unhelpful(**args)] == [("住民票", 1)]
    summary = selectors.period_summary(**args)
    assert (summary.total, summary.answered, summary.unhelpful) == (6, 4, 1)
    longer = {**args, "since": now - dt.timedelta(days=90)}
    assert "古い質問" in [s.example for s in selectors.unanswered(**longer)]


def test_analytics_page_and_one_click_draft(client: Client) -> None:
    town = MunicipalityFactory()
    FaqQueryLogFactory.create_batch(2, municipality=town, query="ドローンの許可", unanswered=True)
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    page = client.get(reverse("faq_staff:analytics"), {"days": "7"})
    assert page.status_code == 200
    assert "ドローンの許可" in page.content.decode()
    response = client.post(reverse("faq_staff:draft_from_query"), {"query_key": "ドローンの許可"})
    draft = FaqEntry.objects.get()
    assert response["Location"] == reverse("faq_staff:edit", kwargs={"pk": draft.pk})
    assert draft.status == Status.DRAFT and draft.question == "ドローンの許可"
    assert set(FaqQueryLog.objects.values_list("draft_id", flat=True)) == {draft.pk}
    # A second click opens the same draft instead of making another.
    client.post(reverse("faq_staff:draft_from_query"), {"query_key": "ドローンの許可"})
    assert FaqEntry.objects.count() == 1
    assert client.get(response["Location"]).status_code == 200


def test_counter_staff_cannot_see_analytics(client: Client) -> None:
    town = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=town, counter=True))
    assert client.get(reverse("faq_staff:analytics")).status_code == 403
    assert client.get(reverse("faq_staff:list")).status_code == 200


def test_purge_respects_retention(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FAQ_LOG_RETENTION_DAYS = 30
    town = MunicipalityFactory()
    keep = FaqQueryLogFactory(municipality=town)
    gone = FaqQueryLogFactory(municipality=town)
    _aged(gone, 31)
    call_command("faq_purge_logs")
    assert list(FaqQueryLog.objects.values_list("pk", flat=True)) == [keep.pk]
    assert services.faq_logs_purge(days=0, now=timezone.now() + dt.timedelta(seconds=1)) == 1


def test_staff_editing_pages(client: Client) -> None:
    town = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    response = client.post(
        reverse("faq_staff:create"),
        {
            "question": "犬の登録",
            "answer": "<b>30日以内</b><script>x</script>",
            "status": "published",
        },
    )
    entry = FaqEntry.objects.get()
    assert response.status_code == 302
    assert "script" not in entry.answer
    assert client.get(reverse("faq_staff:list")).status_code == 200
    assert client.get(reverse("faq_staff:edit", kwargs={"pk": entry.pk})).status_code == 200
    assert client.get(reverse("faq_staff:shared_sets")).status_code == 200
    client.post(reverse("faq_staff:delete", kwargs={"pk": entry.pk}))
    assert not FaqEntry.objects.exists()


def test_edit_page_shows_unanswered_questions_that_would_match(client: Client) -> None:
    town = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    dog = services.faq_entry_create(
        municipality=town,
        question="犬の登録",
        answer="飼い始めて30日以内に登録してください。",
        status=Status.PUBLISHED,
    )
    services.faq_entry_create(
        municipality=town,
        question="粗大ごみの出し方",
        answer="予約制です。",
        status=Status.PUBLISHED,
    )
    FaqQueryLogFactory(
        municipality=town,
        query="子犬の登録はどこで",
        query_key="子犬の登録はどこで",
        answered=False,
    )
    FaqQueryLogFactory(
        municipality=town,
        query="ソファを捨てたい粗大ごみ",
        query_key="ソファを捨てたい粗大ごみ",
        answered=False,
    )
    other = MunicipalityFactory()
    FaqQueryLogFactory(
        municipality=other, query="犬の登録料", query_key="犬の登録料", answered=False
    )
    near = selectors.unanswered_near(municipality=town, entry=dog, rank=1)
    assert [s.example for s in near] == ["子犬の登録はどこで"]
    page = client.get(reverse("faq_staff:edit", kwargs={"pk": dog.pk})).content.decode()
    assert "子犬の登録はどこで" in page and "ソファを捨てたい" not in page
    assert "犬の登録料" not in page  # another town's questions stay there
