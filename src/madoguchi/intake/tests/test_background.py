"""Staff uploads import as a background job with progress; a killed import resumes from the
staff screen without importing anything twice or half."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application
from madoguchi.intake import services
from madoguchi.intake.models import ImportedApplication, ImportRun
from madoguchi.jobs.models import Job
from madoguchi.jobs.services import job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(town: Any, client: Any) -> Any:
    user = StaffUserFactory(municipality=town)
    client.force_login(user)
    return user


def test_upload_runs_as_a_job_and_shows_its_progress(
    staff, client, version, make_bundle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:home"), {"bundle": make_bundle(3)})
    run = ImportRun.objects.get()
    response = client.get(reverse("intake:run", args=[run.pk]))
    job = run.job
    assert job is not None and job.kind == "intake.import" and job.started_by == staff
    assert (job.state, job.done, job.total, job.quarantined) == (Job.State.DONE, 3, 3, 0)
    assert run.status == ImportRun.Status.COMPLETED
    page = response.content.decode()
    assert 'id="job-state"' in page and "3 / 3" in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing


def _start_without_running(town: Any, staff: Any, make_bundle: Any, settings: Any) -> ImportRun:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return services.bundle_import_start(
        municipality=town, upload=make_bundle(7), actor=staff, source_name="b.zip"
    )


def test_a_queued_import_refreshes_its_page(staff, client, town, version, make_bundle, settings):
    run = _start_without_running(town, staff, make_bundle, settings)
    page = client.get(reverse("intake:run", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in page
    assert reverse("intake:run", args=[run.pk]) in page  # the reload link (no JavaScript)
    assert not Application.objects.exists()


def test_killed_import_is_resumed_from_the_staff_screen(
    staff,
    client,
    town,
    version,
    make_bundle,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    run = _start_without_running(town, staff, make_bundle, settings)
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    chunks = {"n": 0}
    original = services._Importer.write

    def dies_on_third_chunk(self: Any, checked: Any) -> Any:
        chunks["n"] += 1
        if chunks["n"] == 3:
            raise SystemExit  # the worker process dies (not an exception it could handle)
        return original(self, checked)

    monkeypatch.setattr(services._Importer, "write", dies_on_third_chunk)
    monkeypatch.setattr(
        services,
        "_import_into",
        lambda run, handle, **kw: _chunked(run, handle, **kw),
    )
    assert run.job is not None
    with pytest.raises(SystemExit):
        job_run(job_id=run.job.pk)
    job = Job.objects.get(pk=run.job.pk)
    assert (job.state, job.done, job.total) == (Job.State.RUNNING, 4, 7)
    assert Application.objects.count() == 4  # two whole chunks, nothing half-written

    # Ten minutes later, without a heartbeat, the staff screen offers to resume.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    page = client.get(reverse("intake:run", args=[run.pk])).content.decode()
    assert "続きから再開する" in page and str(Job.State.INTERRUPTED.label) in page

    monkeypatch.setattr(services._Importer, "write", original)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:run_resume", args=[run.pk]), follow=True)
    assert response.status_code == 200
    job.refresh_from_db()
    run.refresh_from_db()
    assert (job.state, job.done, job.attempts) == (Job.State.DONE, 7, 2)
    assert run.status == ImportRun.Status.COMPLETED
    assert (run.total, run.imported, run.duplicates, run.rejected) == (7, 7, 0, 0)
    assert Application.objects.count() == ImportedApplication.objects.count() == 7
    # Resuming a finished import does nothing.
    response = client.post(reverse("intake:run_resume", args=[run.pk]), follow=True)
    assert "再開できません" in response.content.decode()
    assert Application.objects.count() == 7


_real_import_into = services._import_into


def _chunked(run: Any, handle: Any, **kwargs: Any) -> Any:
    return _real_import_into(run, handle, **{**kwargs, "chunk_size": 2})


def test_counter_staff_cannot_resume_and_other_towns_get_404(
    town, other_town, version, make_bundle, settings, client
):
    run = _start_without_running(town, StaffUserFactory(municipality=town), make_bundle, settings)
    client.force_login(StaffUserFactory(municipality=town, counter=True))
    assert client.post(reverse("intake:run_resume", args=[run.pk])).status_code == 403
    client.force_login(StaffUserFactory(municipality=other_town, admin=True))
    assert client.post(reverse("intake:run_resume", args=[run.pk])).status_code == 404
    assert client.get(reverse("intake:run_resume", args=[run.pk])).status_code == 405


@pytest.mark.django_db(transaction=True)  # the worker opens and closes its own connections
def test_with_the_database_queue_a_worker_runs_the_import(
    staff, client, version, make_bundle, settings
):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client.post(reverse("intake:home"), {"bundle": make_bundle(3)})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.QUEUED and not Application.objects.exists()
    assert "取込を受け付けました" in client.get(response["Location"]).content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.COMPLETED and run.imported == 3
    assert run.job is not None and run.job.state == Job.State.DONE


def test_reasons_are_written_in_the_language_of_the_staff_member_who_uploaded(
    staff, client, version, form_data, django_capture_on_commit_callbacks
):
    import io

    from madoguchi.intake.models import QuarantineItem

    from .bundles import PDF_BYTES, BundleBuilder, manifest

    bad = manifest("BAD-1", procedure="test-certificate", form_data=form_data)
    bad["form_version"] = "①"
    upload = io.BytesIO(BundleBuilder().add(bad, files={"attachments/id.pdf": PDF_BYTES}).build())
    upload.name = "bundle.zip"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:home"), {"bundle": upload}, HTTP_ACCEPT_LANGUAGE="en")
    (reason,) = QuarantineItem.objects.get().reasons
    assert reason["field"] == "form_version"
    assert reason["message"].isascii() and "form_version" in reason["message"]


def test_pruning_an_old_import_job_deletes_its_bundle_and_keeps_the_record(
    staff, client, version, make_bundle, django_capture_on_commit_callbacks
):
    from madoguchi.jobs.services import jobs_prune

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:home"), {"bundle": make_bundle(2)})
    run = ImportRun.objects.get()
    bundle = run.bundle
    assert bundle and bundle.storage.exists(bundle.name)
    Job.objects.filter(pk=run.job_id).update(finished_at=timezone.now() - timedelta(days=365))
    assert jobs_prune() == 1
    run.refresh_from_db()
    assert not bundle.storage.exists(bundle.name) and not run.bundle and run.job is None
    assert run.status == ImportRun.Status.COMPLETED and Application.objects.count() == 2
