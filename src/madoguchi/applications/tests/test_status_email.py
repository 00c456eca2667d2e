"""E-mails to the resident: one per status change that concerns them, none for internal steps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import workflow
from madoguchi.applications.models import Application, ApplicationEvent, CorrectionRequest
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.notifications.services import notification_queue

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

# Personal data the mail must never carry (the factory's applicant).
PERSONAL = ("山田", "花子", "ヤマダ", "ハナコ", "1975", "hanako@example.jp")


def _transition(application, to_status, *, reason="", actor=None):
    actor = actor or StaffUserFactory(municipality=application.municipality, manager=True)
    return workflow.application_transition(
        application=application,
        actor=actor,
        to_status=to_status,
        expected_version=Application.objects.get(pk=application.pk).version,
        reason=reason,
    )


def _assert_no_personal_data(message) -> None:
    for text in (message.subject, message.body):
        for value in PERSONAL:
            assert value not in text, value


@pytest.mark.parametrize(
    ("start", "to_status", "label", "says"),
    [
        ({}, "in_review", "審査中", "審査しています"),
        ({"in_review": True}, "completed", "完了", "手続は完了しました"),
        ({"in_review": True}, "rejected", "却下", "却下されました"),
        ({}, "withdrawn", "取下げ", "取り下げられました"),
    ],
)
def test_each_status_change_sends_one_mail_with_what_the_resident_needs(
    start, to_status, label, says, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(**start)
    reason = (
        "所得が支給の基準を超えているため" if to_status == "rejected" else "内部向けではない説明"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _transition(application, to_status, reason=reason)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert label in message.subject
    body = message.body
    assert application.procedure.name in body
    assert application.receipt_number in body
    assert f"「{label}」" in body and says in body
    assert f"http://127.0.0.1:8000/{application.municipality.code}/status/" in body
    assert formats.date_format(timezone.localdate(), "DATE_FORMAT") in body
    # What staff wrote for the resident is in the mail: the reason of a refusal (行政手続法
    # 第8条), or the note that came with another change (the status page shows it too).
    assert reason in body
    assert ("担当課からのお知らせ" in body) == (to_status != "rejected")
    _assert_no_personal_data(message)


def test_no_mail_without_an_address(django_capture_on_commit_callbacks):
    application = ApplicationFactory(contact_email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _transition(application, "in_review")
        _transition(application, "completed")
    assert mail.outbox == []
    assert callbacks == []


def test_no_mail_for_internal_steps(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_assign(
            application=application, actor=manager, assignee=manager, expected_version=1
        )
        workflow.application_add_note(application=application, actor=manager, note="電話で確認")
    assert mail.outbox == []


def test_no_mail_when_the_change_is_refused(django_capture_on_commit_callbacks):
    application = ApplicationFactory(completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(workflow.TransitionRefused):
            _transition(application, "in_review")
        with pytest.raises(workflow.WorkflowError):
            _transition(ApplicationFactory(in_review=True), "rejected", reason="")
    assert mail.outbox == []


def test_a_staff_member_in_english_still_mails_the_resident_in_japanese(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _transition(application, "in_review")
    assert len(mail.outbox) == 1
    assert "審査中" in mail.outbox[0].subject and "Under review" not in mail.outbox[0].body


def test_a_resident_who_applied_in_english_is_mailed_in_english(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory(language="en")
    staff = StaffUserFactory(municipality=application.municipality, manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        _transition(application, "in_review", actor=staff)  # staff screen in Japanese
        _request_correction(
            Application.objects.get(pk=application.pk), staff, deadline=date(2031, 4, 30)
        )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "審査" not in message.subject + message.body
        assert "補正" not in message.subject + message.body
    assert "Under review" in mail.outbox[0].body
    assert "2031" in mail.outbox[1].body and "2031年" not in mail.outbox[1].body


def _request_correction(application, actor, *, deadline: date):
    return workflow.correction_request(
        application=application,
        actor=actor,
        expected_version=application.version,
        field_keys=["email"],
        message="メールアドレスを確かめてください。",
        deadline=deadline,
    )


def test_a_correction_request_sends_only_its_own_mail_and_a_resubmission_is_acknowledged(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory(in_review=True)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    deadline = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        issued = _request_correction(application, manager, deadline=deadline)
    assert len(mail.outbox) == 1
    assert "補正のお願い" in mail.outbox[0].subject
    # The deadline in the locale's date format, not a hard-coded pattern.
    assert formats.date_format(deadline, "DATE_FORMAT") in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        workflow.correction_resubmit(
            correction=issued.correction, new_values={"email": "hanako2@example.jp"}
        )
    assert len(mail.outbox) == 2
    acknowledged = mail.outbox[1]
    # Sent to the corrected address.
    assert acknowledged.to == ["hanako2@example.jp"]
    assert "補正後の内容を受け付けました" in acknowledged.subject
    assert "補正後の内容を受け付けました" in acknowledged.body
    assert application.receipt_number in acknowledged.body and "「審査中」" in acknowledged.body


def test_staff_ending_a_correction_tells_the_resident_the_link_is_closed(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory(in_review=True)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    _request_correction(application, manager, deadline=timezone.localdate() + timedelta(days=7))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _transition(application, "in_review", actor=manager)
    assert len(mail.outbox) == 1
    assert "補正は不要になりました" in mail.outbox[0].body


def test_a_resubmission_in_english_is_acknowledged_in_english(django_capture_on_commit_callbacks):
    application = ApplicationFactory(in_review=True)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    issued = _request_correction(
        application, manager, deadline=timezone.localdate() + timedelta(days=7)
    )
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        workflow.correction_resubmit(
            correction=issued.correction, new_values={"email": "hanako@example.jp"}
        )
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Under review" in body and today in body
    assert "年" not in body and "審査" not in body


def test_the_correction_mail_in_english_has_an_english_date(django_capture_on_commit_callbacks):
    application = ApplicationFactory(in_review=True)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    _request_correction(application, manager, deadline=date(2031, 4, 30))
    correction = CorrectionRequest.objects.get()
    for language in ("en", "ja"):
        with django_capture_on_commit_callbacks(execute=True):
            notification_queue(
                municipality=application.municipality,
                template="applications/correction",
                reference=correction.pk,
                language=language,
                sealed={"token": "x"},
            )
    assert "April 30, 2031" in mail.outbox[-2].body and "2031年" not in mail.outbox[-2].body
    assert "2031年4月30日" in mail.outbox[-1].body


def test_the_mail_reports_the_change_it_was_sent_for(django_capture_on_commit_callbacks):
    """Queued mails that run late still describe their own change, not the latest status."""
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _transition(application, "in_review")
        _transition(application, "completed")
    for callback in callbacks:
        callback()
    assert [m.subject.count("審査中") for m in mail.outbox] == [1, 0]
    assert "完了" in mail.outbox[1].subject
    assert ApplicationEvent.objects.filter(application=application).count() == 2


def test_the_message_staff_write_on_completion_is_in_the_mail(django_capture_on_commit_callbacks):
    application = ApplicationFactory(in_review=True)
    note = "証明書は市民課の窓口でお渡しします。本人確認書類をお持ちください。"
    with django_capture_on_commit_callbacks(execute=True):
        _transition(application, "completed", reason=note)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "担当課からのお知らせ" in body and note in body
    _assert_no_personal_data(mail.outbox[0])
