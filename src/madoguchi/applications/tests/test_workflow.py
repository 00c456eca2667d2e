"""The status workflow: every transition allowed and refused, locking, assignment, notes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import workflow
from madoguchi.applications.models import Application, ApplicationEvent, Status
from madoguchi.applications.selectors import application_public_events
from madoguchi.applications.tests.factories import ApplicationFactory, back_office_user

pytestmark = pytest.mark.django_db

ALLOWED_PAIRS = {
    ("received", "in_review"),
    ("received", "rejected"),
    ("received", "withdrawn"),
    ("in_review", "correction_requested"),
    ("in_review", "completed"),
    ("in_review", "rejected"),
    ("in_review", "withdrawn"),
    ("correction_requested", "in_review"),
    ("correction_requested", "rejected"),
    ("correction_requested", "withdrawn"),
}
ALL_PAIRS = [(a, b) for a in Status.values for b in Status.values]


def test_the_table_is_the_documented_workflow():
    table = {(a, b) for a, targets in workflow.ALLOWED.items() for b in targets}
    assert table == ALLOWED_PAIRS


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_every_transition(from_status, to_status):
    application = ApplicationFactory(status=from_status)
    actor = StaffUserFactory(municipality=application.municipality, manager=True)
    before_events = application.events.count()
    allowed = (from_status, to_status) in ALLOWED_PAIRS
    if to_status == "correction_requested":
        # Only through correction_request(), which names fields and a deadline.
        with pytest.raises(workflow.TransitionRefused):
            workflow.application_transition(
                application=application, actor=actor, to_status=to_status, expected_version=1
            )
        call = lambda: workflow.correction_request(  # noqa: E731
            application=application,
            actor=actor,
            expected_version=1,
            field_keys=["email"],
            message="メールアドレスを確かめてください。",
            deadline=timezone.localdate(),
        )
    else:
        call = lambda: workflow.application_transition(  # noqa: E731
            application=application,
            actor=actor,
            to_status=to_status,
            expected_version=1,
            reason="要件を満たしていません。" if to_status == "rejected" else "",
        )
    if allowed:
        result = call()
        result = getattr(result, "application", result)
        assert result.status == to_status
        assert result.version > 1
        event = application.events.order_by("-pk").first()
        assert (event.from_status, event.to_status, event.actor) == (from_status, to_status, actor)
        stored = Application.objects.get(pk=application.pk)
        assert stored.status == to_status
        assert (stored.closed_at is not None) == (to_status in workflow.TERMINAL)
    else:
        with pytest.raises(workflow.TransitionRefused) as exc:
            call()
        assert "できません" in exc.value.message
        stored = Application.objects.get(pk=application.pk)
        assert (stored.status, stored.version) == (from_status, 1)
        assert application.events.count() == before_events


def test_rejection_needs_a_reason_and_shows_it_to_the_resident():
    application = ApplicationFactory(in_review=True)
    actor = StaffUserFactory(municipality=application.municipality, manager=True)
    with pytest.raises(workflow.WorkflowError) as exc:
        workflow.application_transition(
            application=application,
            actor=actor,
            to_status="rejected",
            expected_version=1,
            reason="   ",
        )
    assert exc.value.field == "reason"
    assert "理由" in exc.value.message
    assert Application.objects.get(pk=application.pk).status == "in_review"
    workflow.application_transition(
        application=application,
        actor=actor,
        to_status="rejected",
        expected_version=1,
        reason="対象の期間外の申請のため。",
        internal_note="課長確認済み",
    )
    public = list(application_public_events(application=application))
    assert public[-1].public_note == "対象の期間外の申請のため。"
    assert (
        public[-1].internal_note == "課長確認済み"
    )  # model field; templates never show it publicly


def test_the_second_of_two_concurrent_updates_is_refused_and_nothing_is_lost():
    application = ApplicationFactory()
    first = StaffUserFactory(municipality=application.municipality, manager=True)
    second = StaffUserFactory(municipality=application.municipality, manager=True)
    seen_by_both = application.version
    workflow.application_transition(
        application=Application.objects.get(pk=application.pk),
        actor=first,
        to_status="in_review",
        expected_version=seen_by_both,
    )
    with pytest.raises(workflow.StaleApplication) as exc:
        workflow.application_transition(
            application=Application.objects.get(pk=application.pk),
            actor=second,
            to_status="rejected",
            expected_version=seen_by_both,
            reason="重複",
        )
    assert "ほかの職員が先に" in exc.value.message
    stored = Application.objects.get(pk=application.pk)
    assert (stored.status, stored.version) == ("in_review", seen_by_both + 1)
    assert stored.events.filter(to_status="rejected").count() == 0


def test_assignment_only_to_colleagues_who_cover_the_procedure():
    application = ApplicationFactory()
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    clerk = back_office_user(application.procedure)
    counter = StaffUserFactory(municipality=application.municipality, counter=True)
    stranger = StaffUserFactory(manager=True)  # another municipality
    uncovered = StaffUserFactory(municipality=application.municipality)  # no department
    for wrong in (counter, stranger, uncovered):
        with pytest.raises(workflow.WorkflowError) as exc:
            workflow.application_assign(
                application=application, actor=manager, assignee=wrong, expected_version=1
            )
        assert exc.value.field == "assignee"
    result = workflow.application_assign(
        application=application, actor=manager, assignee=clerk, expected_version=1
    )
    assert result.assignee == clerk and result.version == 2
    assert application.events.filter(kind=ApplicationEvent.Kind.ASSIGNED).count() == 1
    with pytest.raises(workflow.StaleApplication):
        workflow.application_assign(
            application=application, actor=manager, assignee=None, expected_version=1
        )
    workflow.application_assign(
        application=application, actor=manager, assignee=None, expected_version=2
    )
    assert Application.objects.get(pk=application.pk).assignee is None


def test_internal_notes_stay_internal():
    application = ApplicationFactory()
    actor = StaffUserFactory(municipality=application.municipality, manager=True)
    with pytest.raises(workflow.WorkflowError):
        workflow.application_add_note(application=application, actor=actor, note="  ")
    with pytest.raises(workflow.WorkflowError):
        workflow.application_add_note(application=application, actor=actor, note="あ" * 2001)
    workflow.application_add_note(application=application, actor=actor, note="電話で確認済み")
    assert application.events.filter(kind="note").count() == 1
    assert not any(e.kind == "note" for e in application_public_events(application=application))
