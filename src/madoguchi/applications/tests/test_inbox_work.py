"""The inbox for real work: deadlines from 標準処理期間, overdue first, bulk changes, and a mail
to the colleague an application is given to."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import services, workflow
from madoguchi.applications.deadlines import due_on_for
from madoguchi.applications.models import Application, ApplicationEvent
from madoguchi.applications.tests.factories import (
    VALID_ANSWERS,
    ApplicationFactory,
    FormVersionFactory,
    back_office_user,
)
from madoguchi.core.administrative_days import add_working_days, working_days_between

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

INBOX = "/staff/applications/"
BULK = "/staff/applications/bulk/"
PERSONAL = ("山田", "花子", "ヤマダ", "ハナコ", "1975", "hanako@example.jp")


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _receipts(response) -> list[str]:
    return re.findall(r"\d{8}-\d{6}", response.content.decode().split('id="inbox"')[1])


def test_deadline_counts_working_days_from_receipt() -> None:
    # Received Friday 25 December 2026, 10 working days: 年末年始, weekends and 成人の日
    # (11 January 2027) do not count: 28 Dec, 4–8 Jan, 12–15 Jan.
    assert due_on_for(standard_days=10, submitted_at=_aware(date(2026, 12, 25))) == date(
        2027, 1, 15
    )
    assert due_on_for(standard_days=None, submitted_at=_aware(date(2026, 12, 25))) is None


def test_every_way_in_sets_the_deadline(django_capture_on_commit_callbacks) -> None:
    version = FormVersionFactory(without_files=True)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(
            municipality=version.procedure.municipality,
            procedure=version.procedure,
            form_version=version,
            raw_answers=VALID_ANSWERS,
        )
    application = submitted.application
    assert application.due_on == due_on_for(standard_days=7, submitted_at=application.submitted_at)
    assert application.due_on > timezone.localdate()


def test_a_correction_moves_the_deadline_by_the_days_it_waited(django_capture_on_commit_callbacks):
    submitted = timezone.now() - timedelta(days=20)
    application = ApplicationFactory(
        in_review=True,
        submitted_at=submitted,
        due_on=due_on_for(standard_days=7, submitted_at=submitted),
    )
    before = application.due_on
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    requested_at = timezone.now() - timedelta(days=14)
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.STATUS_CHANGED,
        from_status="in_review",
        to_status="correction_requested",
        at=requested_at,
    )
    Application.objects.filter(pk=application.pk).update(status="correction_requested")
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_transition(
            application=application,
            actor=manager,
            to_status="in_review",
            expected_version=application.version,
        )
    application.refresh_from_db()
    paused = working_days_between(
        timezone.localdate(requested_at), timezone.localdate(timezone.now())
    )
    assert paused >= 8
    assert application.due_on == add_working_days(before, paused)


def test_inbox_shows_deadline_elapsed_days_and_sorts_overdue_first(client) -> None:
    today = timezone.localdate()
    late = ApplicationFactory(
        receipt_number="20250401-000001",
        submitted_at=timezone.now() - timedelta(days=30),
        due_on=today - timedelta(days=3),
    )
    procedure = late.procedure
    fresh = ApplicationFactory(
        form_version=late.form_version,
        receipt_number="20250401-000002",
        submitted_at=timezone.now() - timedelta(days=1),
        due_on=today + timedelta(days=9),
    )
    done_late = ApplicationFactory(
        form_version=late.form_version,
        receipt_number="20250401-000003",
        submitted_at=timezone.now() - timedelta(days=40),
        due_on=today - timedelta(days=10),
        status="completed",
    )
    client.force_login(back_office_user(procedure))

    page = client.get(INBOX)
    assert _receipts(page) == [fresh.receipt_number, late.receipt_number, done_late.receipt_number]
    html = page.content.decode()
    assert html.count("期限超過") == 1  # a closed application is not overdue
    assert "30日経過" in html

    by_due = client.get(INBOX, {"order": "due"})
    # Open applications first, nearest deadline first; a closed one has none left to meet.
    assert _receipts(by_due) == [
        late.receipt_number,
        fresh.receipt_number,
        done_late.receipt_number,
    ]

    overdue = client.get(INBOX, {"deadline": "overdue"})
    assert _receipts(overdue) == [late.receipt_number]


def test_bulk_assignment_and_status_change_with_partial_refusal(
    client, django_capture_on_commit_callbacks
) -> None:
    first = ApplicationFactory()
    procedure = first.procedure
    second = ApplicationFactory(form_version=first.form_version)
    finished = ApplicationFactory(form_version=first.form_version, status="completed")
    stranger = ApplicationFactory()  # another municipality's
    clerk = back_office_user(procedure)
    colleague = back_office_user(procedure, email="colleague@city.example.jp")
    client.force_login(clerk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            BULK,
            {"ids": [first.pk, second.pk, stranger.pk], "assignee": str(colleague.pk)},
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2件を変更しました" in page
    assert "1件は見つからないか" in page
    assert set(Application.objects.filter(assignee=colleague)) == {first, second}
    assert Application.objects.get(pk=stranger.pk).assignee is None
    # The colleague is told, once per application, without the applicant's data.
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.to == ["colleague@city.example.jp"]
        assert "担当になりました" in message.subject
        for value in PERSONAL:
            assert value not in message.subject + message.body
    assert {first.receipt_number, second.receipt_number} == {
        re.search(r"\d{8}-\d{6}", m.subject).group(0) for m in mail.outbox
    }

    response = client.post(
        BULK, {"ids": [first.pk, finished.pk], "to_status": "in_review"}, follow=True
    )
    page = response.content.decode()
    assert "1件を変更しました" in page
    assert finished.receipt_number in page  # named with the reason it was refused
    assert Application.objects.get(pk=first.pk).status == "in_review"
    assert Application.objects.get(pk=finished.pk).status == "completed"


@pytest.mark.parametrize(
    "data",
    [
        {"ids": [], "assignee": "none"},
        {"ids": ["1"]},  # neither an assignee nor a status
        {"ids": ["1"], "assignee": "none", "to_status": "in_review"},  # both
        {"ids": ["x"], "assignee": "none"},
        {"ids": ["1"], "to_status": "correction_requested"},
        {"ids": [str(n) for n in range(1, 300)], "assignee": "none"},
    ],
)
def test_bulk_refuses_bad_input_with_a_message(client, data) -> None:
    application = ApplicationFactory()
    client.force_login(back_office_user(application.procedure))
    response = client.post(BULK, data, follow=True)
    assert response.status_code == 200
    assert 'class="mg-notice mg-notice--error"' in response.content.decode() or "mg-error" in (
        response.content.decode()
    )
    assert Application.objects.get(pk=application.pk).status == "received"


def test_bulk_needs_the_change_permission(client) -> None:
    application = ApplicationFactory()
    client.force_login(StaffUserFactory(municipality=application.municipality, counter=True))
    assert client.post(BULK, {"ids": [application.pk], "assignee": "none"}).status_code == 403


def test_assigning_oneself_sends_no_mail(django_capture_on_commit_callbacks) -> None:
    application = ApplicationFactory()
    clerk = back_office_user(application.procedure, email="me@city.example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_assign(
            application=application, actor=clerk, assignee=clerk, expected_version=1
        )
    assert mail.outbox == []
