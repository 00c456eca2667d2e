"""Orphaned uploads are purged by `madoguchi retention purge` (a dry run unless --apply)."""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone

from madoguchi.applications import retention
from madoguchi.applications.models import Attachment, Draft
from madoguchi.applications.tests.factories import ApplicationFactory, FormVersionFactory

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=3)


def _attachment(municipality, *, draft=None, application=None, old=True) -> Attachment:
    attachment = Attachment(
        municipality=municipality,
        draft=draft,
        application=application,
        field_path="id_document",
        original_name="本人確認書類.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    attachment.file.save(str(attachment.id), ContentFile(b"%PDF"), save=False)
    attachment.save()
    if old:
        Attachment.objects.filter(pk=attachment.pk).update(created_at=OLD)
    return attachment


def _ref(attachment: Attachment) -> dict[str, object]:
    return {"attachment": str(attachment.id), "name": "a.pdf", "size": 4}


@pytest.fixture
def store(tmp_path, monkeypatch):
    # A store of this test's own: other tests leave files behind in the shared one.
    field = Attachment._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path))
    version = FormVersionFactory()
    municipality = version.procedure.municipality

    def draft(**kwargs):
        return Draft.objects.create(
            municipality=municipality,
            procedure=version.procedure,
            form_version=version,
            expires_at=timezone.now() + timedelta(days=7),
            **kwargs,
        )

    live = draft()
    held = _attachment(municipality, draft=live)
    replaced = _attachment(municipality, draft=live)  # chosen before `held`, then replaced
    just_replaced = _attachment(municipality, draft=live, old=False)  # within the grace period
    live.answers = {"id_document": _ref(held)}
    live.save()
    expired = draft()
    Draft.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    in_expired = _attachment(municipality, draft=expired)
    detached = _attachment(municipality)  # its draft was deleted (SET_NULL)
    application = ApplicationFactory(form_version=version)
    submitted = _attachment(municipality, application=application)
    storage = held.file.storage
    stray_name = storage.save(f"attachments/{municipality.code}/stray", ContentFile(b"%PDF"))
    fresh_stray = storage.save(f"attachments/{municipality.code}/fresh", ContentFile(b"%PDF"))
    past = OLD.timestamp()
    os.utime(storage.path(stray_name), (past, past))
    return {
        "kept": [held, just_replaced, submitted],
        "gone": [replaced, in_expired, detached],
        "storage": storage,
        "stray": stray_name,
        "fresh_stray": fresh_stray,
        "live": live,
    }


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("retention_purge", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_dry_run_counts_the_orphans_and_touches_nothing(store):
    lines = _run()
    assert "orphans expired_drafts=1 replaced=1 detached=1 stray_files=1" in lines
    assert Attachment.objects.count() == 6
    assert store["storage"].exists(store["stray"])


def test_apply_removes_orphans_and_keeps_what_is_held(store, django_capture_on_commit_callbacks):
    storage = store["storage"]
    names = {a.pk: a.file.name for a in store["kept"] + store["gone"]}
    with django_capture_on_commit_callbacks(execute=True):
        lines = _run("--apply")
    assert "orphans expired_drafts=1 replaced=1 detached=1 stray_files=1" in lines
    assert set(Attachment.objects.values_list("pk", flat=True)) == {a.pk for a in store["kept"]}
    for attachment in store["gone"]:
        assert not storage.exists(names[attachment.pk])
    for attachment in store["kept"]:
        assert storage.exists(names[attachment.pk])
    assert not storage.exists(store["stray"])
    assert storage.exists(store["fresh_stray"])
    assert list(Draft.objects.all()) == [store["live"]]
    # Idempotent: nothing left to purge.
    after = retention.orphans(apply=True)
    assert after == retention.OrphanCounts(0, 0, 0, 0)
