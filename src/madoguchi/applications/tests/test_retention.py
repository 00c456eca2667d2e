"""Retention: personal data and files go after the period; anonymous rows and counts stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from madoguchi.applications.models import (
    Application,
    ApplicationEvent,
    Attachment,
    Draft,
    RetentionPolicy,
)
from madoguchi.applications.tests.factories import ApplicationFactory, FormVersionFactory
from madoguchi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    now = timezone.now()
    old = ApplicationFactory(completed=True, closed_at=now - timedelta(days=40))
    RetentionPolicy.objects.create(
        municipality=old.municipality, procedure=old.procedure, retention_days=30
    )
    recent = ApplicationFactory(
        form_version=old.form_version, completed=True, closed_at=now - timedelta(days=10)
    )
    open_one = ApplicationFactory(form_version=old.form_version, in_review=True)
    no_policy = ApplicationFactory(
        form_version=FormVersionFactory(without_files=True),
        rejected=True,
        closed_at=now - timedelta(days=4000),
    )
    ApplicationEvent.objects.create(
        application=old, kind="note", internal_note="山田さんに電話", at=now
    )
    attachment = Attachment(
        municipality=old.municipality,
        application=old,
        field_path="id_document",
        original_name="保険証.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    attachment.file.save(str(attachment.id), ContentFile(b"%PDF"), save=False)
    attachment.save()
    return {"old": old, "kept": [recent, open_one, no_policy], "attachment": attachment}


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("retention_purge", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_dry_run_by_default_changes_nothing(setting):
    lines = _run()
    assert lines[-1] == "mode=dry_run applications=1"
    assert f"procedure={setting['old'].procedure.slug} status=completed count=1" in lines[0]
    assert Application.objects.get(pk=setting["old"].pk).applicant_name == "山田 花子"
    assert Attachment.objects.count() == 1


def test_apply_removes_personal_data_and_files_keeps_the_anonymous_row(
    setting, django_capture_on_commit_callbacks
):
    storage = setting["attachment"].file.storage
    name = setting["attachment"].file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        lines = _run("--apply")
    assert lines[-1] == "mode=purged applications=1"
    old = Application.objects.get(pk=setting["old"].pk)
    assert old.answers == {} and old.applicant_name == old.applicant_kana == ""
    assert old.contact_email == old.search_key == ""
    assert old.purged_at is not None
    assert (old.status, old.procedure_id, old.channel) == (
        "completed",
        setting["old"].procedure_id,
        "online",
    )
    assert not Attachment.objects.exists() and not storage.exists(name)
    assert not ApplicationEvent.objects.filter(application=old).exclude(internal_note="").exists()
    assert ApplicationEvent.objects.filter(application=old, kind="purged").count() == 1
    assert AuditEvent.objects.get(action="purge").count == 1
    for kept in setting["kept"]:
        assert Application.objects.get(pk=kept.pk).applicant_name == "山田 花子"
    # Idempotent.
    assert _run("--apply")[-1] == "mode=purged applications=0"


def test_expired_drafts_are_deleted(setting):
    version = setting["old"].form_version
    Draft.objects.create(
        municipality=version.procedure.municipality,
        procedure=version.procedure,
        form_version=version,
        expires_at=timezone.now() - timedelta(days=1),
    )
    live = Draft.objects.create(
        municipality=version.procedure.municipality,
        procedure=version.procedure,
        form_version=version,
        expires_at=timezone.now() + timedelta(days=1),
    )
    _run("--apply")
    assert list(Draft.objects.all()) == [live]


def test_unknown_municipality_is_a_clear_error(setting):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="自治体がありません"):
        _run("--municipality", "999999")
