"""No cross-tenant read or write through any FAQ URL, service or index."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.faq import services
from madoguchi.faq.models import FaqEntry, FaqQueryLog, Status
from madoguchi.tenancy.models import Municipality
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

from .factories import FaqQueryLogFactory, FaqSetFactory, SharedFaqEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns() -> tuple[Municipality, Municipality]:
    a, b = MunicipalityFactory(), MunicipalityFactory()
    services.faq_entry_create(
        municipality=a, question="A町のごみ収集日", answer="A町の回答", status=Status.PUBLISHED
    )
    services.faq_entry_create(
        municipality=b,
        question="B町の秘密の質問 ごみ収集日",
        answer="B町だけの回答",
        status=Status.PUBLISHED,
    )
    return a, b


def test_residents_only_get_their_own_municipalitys_answers(
    client: Client, towns: tuple[Municipality, Municipality]
) -> None:
    a, _ = towns
    url = reverse("faq:ask_json", kwargs={"municipality_code": a.code})
    data = client.post(url, {"q": "B町の秘密の質問 ごみ収集日"}).json()
    shown = [data["answer"]] + data["alternatives"] if data["answer"] else data["alternatives"]
    assert all("B町" not in (x or {}).get("answer_text", "") for x in shown)
    assert "B町だけの回答" not in data["html"]
    assert FaqQueryLog.objects.get().municipality == a


def test_feedback_cannot_touch_another_municipalitys_log(
    client: Client, towns: tuple[Municipality, Municipality]
) -> None:
    a, b = towns
    log = FaqQueryLogFactory(municipality=b)
    url = reverse("faq:feedback", kwargs={"municipality_code": a.code})
    assert client.post(url, {"log": str(log.public_id), "helpful": "0"}).status_code == 400
    log.refresh_from_db()
    assert log.helpful is None


@pytest.mark.parametrize(
    ("name", "method"),
    [("faq_staff:edit", "get"), ("faq_staff:edit", "post"), ("faq_staff:delete", "post")],
)
def test_staff_cannot_read_or_change_another_municipalitys_entry(
    client: Client, towns: tuple[Municipality, Municipality], name: str, method: str
) -> None:
    a, b = towns
    foreign = FaqEntry.objects.get(municipality=b)
    client.force_login(StaffUserFactory(municipality=a, manager=True))
    url = reverse(name, kwargs={"pk": foreign.pk})
    response = getattr(client, method)(
        url, {"question": "乗っ取り", "answer": "x", "status": "draft"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.question.startswith("B町")


def test_staff_lists_exports_and_analytics_are_scoped(
    client: Client, towns: tuple[Municipality, Municipality]
) -> None:
    a, b = towns
    FaqQueryLogFactory(municipality=b, query="B町の住民の質問", unanswered=True)
    client.force_login(StaffUserFactory(municipality=a, manager=True))
    assert "B町" not in client.get(reverse("faq_staff:list")).content.decode()
    assert "B町" not in client.get(reverse("faq_staff:export")).content.decode("utf-8-sig")
    assert "B町" not in client.get(reverse("faq_staff:analytics")).content.decode()
    response = client.post(reverse("faq_staff:draft_from_query"), {"query_key": "b町の住民の質問"})
    assert response.status_code == 404
    assert not FaqEntry.objects.filter(municipality=a, question__contains="B町").exists()


def test_csv_import_cannot_update_another_municipalitys_entry(
    towns: tuple[Municipality, Municipality],
) -> None:
    from madoguchi.faq import csv_io

    a, b = towns
    foreign = FaqEntry.objects.get(municipality=b)
    data = f"id,question,answer\r\n{foreign.pk},乗っ取り,x\r\n".encode()
    assert not csv_io.import_csv(municipality=a, data=data).ok
    foreign.refresh_from_db()
    assert foreign.question.startswith("B町")


def test_other_prefectures_shared_set_is_invisible(
    client: Client, towns: tuple[Municipality, Municipality]
) -> None:
    a, _ = towns
    foreign_set = FaqSetFactory(prefecture=prefecture_for("130001"))
    shared = SharedFaqEntryFactory(faq_set=foreign_set)
    client.force_login(StaffUserFactory(municipality=a, manager=True))
    kwargs = {"set_id": foreign_set.pk}
    assert client.get(reverse("faq_staff:shared_set", kwargs=kwargs)).status_code == 404
    toggle = client.post(reverse("faq_staff:shared_set_toggle", kwargs=kwargs), {"action": "adopt"})
    assert toggle.status_code == 404
    override = client.post(
        reverse("faq_staff:shared_entry_action", kwargs={**kwargs, "entry_id": shared.pk}),
        {"action": "override"},
    )
    assert override.status_code == 404
    assert not FaqEntry.objects.filter(overrides=shared).exists()


def test_staff_without_municipality_or_signed_out(client: Client) -> None:
    assert client.get(reverse("faq_staff:list")).status_code == 302  # to the sign-in page
    from madoguchi.accounts.models import Role

    viewer = StaffUserFactory(
        municipality=None, role=Role.PREFECTURE_VIEWER, prefecture=prefecture_for("220001")
    )
    client.force_login(viewer)
    assert client.get(reverse("faq_staff:list")).status_code == 403
