"""Issue 11 (5) for the 補正 form, without JavaScript (Django's test client): a file that passed
its checks is held for the correction when another answer fails, for every file-capable type of
the field-type registry, at the top of the form and inside a repeating group — shown as attached,
kept when re-sent without choosing again, removable and replaceable; staff see nothing of it
before the re-send, and no other application reaches it; an ended hold is cleaned."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import retention, workflow
from madoguchi.applications.models import Application, Attachment, CorrectionRequest, Draft
from madoguchi.applications.services import attachment_prepare_for_application, attachment_save
from madoguchi.applications.tests.factories import ApplicationFactory, FormVersionFactory
from madoguchi.applications.tests.test_save_and_uploads import (
    PDF,
    UPLOAD_TYPES,
    _names,
    _pdf,
    _upload_definition,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_private_store(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _asked(type_name: str, *, in_group: bool) -> tuple[str, CorrectionRequest, Any]:
    """An application whose document (and its name) staff ask to correct: the correction
    form's path, the request and the staff member who made it."""
    version = FormVersionFactory(definition=_upload_definition(type_name, in_group=in_group))
    application = ApplicationFactory(in_review=True, form_version=version, answers={})
    old = attachment_save(
        attachment_prepare_for_application(
            application=application,
            field_path="docs.0.scan" if in_group else "scan",
            uploaded=_pdf("古い書類.pdf"),
        )
    )
    reference = {
        "attachment": str(old.pk),
        "name": old.original_name,
        "size": old.size,
        "content_type": old.content_type,
    }
    item = {"title": "古い書類", "scan": reference}
    application.answers = {"docs": [item]} if in_group else item
    application.save(update_fields=["answers"])
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    issued = workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=1,
        field_keys=["docs"] if in_group else ["title", "scan"],
        message="書類が読み取れません。",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    return "/" + issued.url.split("://", 1)[1].split("/", 1)[1], issued.correction, manager


def _origins(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(docs__\d+__origin)" value="(\d*)"', page))


def _staff_sees_nothing_held(client: Client, manager: Any, application: Application) -> None:
    held = Attachment.objects.get(application__isnull=True)
    client.force_login(manager)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert "古い書類.pdf" in detail and "新しい書類.pdf" not in detail
    assert str(held.pk) not in detail
    url = f"/staff/applications/{application.pk}/attachments/{held.pk}/"
    assert client.get(url).status_code == 404
    client.logout()


@pytest.mark.parametrize("in_group", [False, True], ids=["top", "group"])
@pytest.mark.parametrize("type_name", UPLOAD_TYPES)
def test_an_accepted_upload_is_held_when_another_answer_fails(
    client: Client, type_name: str, in_group: bool
) -> None:
    path, correction, manager = _asked(type_name, in_group=in_group)
    application = correction.application
    before = Application.objects.get(pk=application.pk).answers
    title, scan, group = _names(in_group)
    group = {**group, "docs__0__origin": "0"} if in_group else group

    response = client.post(
        path, {**group, title: "", scan: _pdf("新しい書類.pdf"), "_action": "submit"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "書類の名前を入力してください" in page
    assert f"添付済み：新しい書類.pdf（{len(PDF)}" in page
    assert f'name="{scan}__clear"' in page
    held = Attachment.objects.get(original_name="新しい書類.pdf")
    assert held.application is None and held.draft == Draft.objects.get(correction=correction)
    # Nothing reaches the application or the back office before the resident re-sends.
    assert Application.objects.get(pk=application.pk).answers == before
    _staff_sees_nothing_held(client, manager, application)
    # Opened again (the link, another time): still attached, and the error is named again.
    again = client.get(path).content.decode()
    assert "添付済み：新しい書類.pdf" in again and 'id="mg-error-summary"' in again

    # Re-sent with the name typed and no file chosen: the held file is the new answer.
    response = client.post(
        path, {**group, **_origins(page), title: "新しい書類", "_action": "submit"}
    )
    assert response.status_code == 302, response.content.decode()
    application.refresh_from_db()
    assert application.status == "in_review"
    stored = application.answers["docs"][0] if in_group else application.answers
    assert stored["scan"]["attachment"] == str(held.pk)
    # Both versions stay readable by staff: the earlier file and the new one.
    names = sorted(a.original_name for a in application.attachments.all())
    assert names == ["古い書類.pdf", "新しい書類.pdf"]


@pytest.mark.parametrize("in_group", [False, True], ids=["top", "group"])
@pytest.mark.parametrize("type_name", UPLOAD_TYPES)
def test_a_held_upload_can_be_removed_or_replaced(
    client: Client, type_name: str, in_group: bool
) -> None:
    path, correction, _manager = _asked(type_name, in_group=in_group)
    title, scan, group = _names(in_group)
    group = {**group, "docs__0__origin": "0"} if in_group else group
    client.post(path, {**group, title: "", scan: _pdf("新しい書類.pdf"), "_action": "submit"})

    removed = client.post(
        path, {**group, title: "新しい書類", f"{scan}__clear": "1", "_action": "submit"}
    )
    page = removed.content.decode()
    assert removed.status_code == 200 and "書類の画像のファイルを添付してください" in page
    assert "添付済み" not in page

    replaced = client.post(
        path, {**group, title: "新しい書類", scan: _pdf("写し.pdf"), "_action": "submit"}
    )
    assert replaced.status_code == 302
    application = Application.objects.get(pk=correction.application_id)
    stored = application.answers["docs"][0] if in_group else application.answers
    assert stored["scan"]["name"] == "写し.pdf"
    assert "新しい書類.pdf" not in {a.original_name for a in application.attachments.all()}


def test_a_held_upload_is_kept_across_the_buttons_that_change_the_form(client: Client) -> None:
    path, _correction, _manager = _asked("file", in_group=True)
    response = client.post(
        path,
        {
            "docs__count": "1",
            "docs__0__origin": "0",
            "docs__0__title": "書類",
            "docs__0__scan": _pdf("新しい書類.pdf"),
            "_action": "add:docs",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "添付済み：新しい書類.pdf" in page
    assert 'name="docs__count" value="2"' in page
    assert Attachment.objects.filter(application__isnull=True).count() == 1


def test_another_application_does_not_see_or_take_the_held_file(client: Client) -> None:
    path, correction, _manager = _asked("file", in_group=False)
    client.post(path, {"title": "", "scan": _pdf("新しい書類.pdf"), "_action": "submit"})
    other_path, other, _other_manager = _asked("file", in_group=False)
    page = Client().get(other_path).content.decode()
    assert "新しい書類.pdf" not in page
    # Not reachable under another municipality's address either.
    code = correction.application.municipality.code
    assert Client().get(path.replace(code, other.application.municipality.code)).status_code == 404
    held = Attachment.objects.get(original_name="新しい書類.pdf")
    assert held.draft is not None and held.draft.correction == correction


@pytest.mark.parametrize("ending", ["deadline", "decision", "resent"])
def test_an_ended_hold_is_cleaned_like_an_expired_draft(client: Client, ending: str) -> None:
    path, correction, manager = _asked("file", in_group=False)
    client.post(path, {"title": "", "scan": _pdf("新しい書類.pdf"), "_action": "submit"})
    if ending == "resent":  # with another file chosen: the held one is left over
        client.post(path, {"title": "書類", "scan": _pdf("写し.pdf"), "_action": "submit"})
        assert Application.objects.get(pk=correction.application_id).status == "in_review"
    elif ending == "decision":  # staff go on without the correction
        workflow.application_transition(
            application=correction.application,
            actor=manager,
            to_status="in_review",
            expected_version=Application.objects.get(pk=correction.application_id).version,
        )
    now = timezone.now()
    if ending == "deadline":
        now += timedelta(days=8)
    held_before = set(
        Attachment.objects.filter(application__isnull=True).values_list("pk", flat=True)
    )
    assert held_before
    counts = retention.orphans(now=now + retention.ORPHAN_GRACE, apply=True)
    assert counts.expired_drafts == 1
    assert not Attachment.objects.filter(pk__in=held_before).exists()
    assert not Draft.objects.filter(correction=correction).exists()
    # The application's own files stay.
    assert Attachment.objects.filter(application=correction.application_id).exists()
