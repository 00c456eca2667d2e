"""The job seam: claim once, progress with heartbeat, failure, interruption, resume."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from madoguchi.jobs.models import Job
from madoguchi.jobs.registry import register
from madoguchi.jobs.selectors import job_get, job_progress
from madoguchi.jobs.services import (
    JobLost,
    Progress,
    job_create,
    job_enqueue,
    job_resume,
    job_run,
    jobs_mark_interrupted,
    jobs_prune,
)
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

CALLS: list[tuple[int, int]] = []


def count_to_three(job: Job, progress: Progress) -> None:
    """Test work: resumable from job.done; dies (BaseException) at 2 on the first attempt."""
    progress.advance(total=3)
    for n in range(job.done, 3):
        CALLS.append((job.attempts, n))
        if n == 2 and job.attempts == 1:
            raise KeyboardInterrupt  # the worker dies: no chance to record anything
        progress.advance(done=n + 1)


APPLICANT = "山田 花子"


def fails(job: Job, progress: Progress) -> None:
    raise ValueError(f"a message quoting {APPLICANT}")


register("tests.count", "madoguchi.jobs.tests.test_jobs.count_to_three")
register("tests.fails", "madoguchi.jobs.tests.test_jobs.fails")


@pytest.fixture
def town() -> Any:
    return MunicipalityFactory()


def test_a_job_runs_once_through_its_task(town, django_capture_on_commit_callbacks):
    CALLS.clear()
    job = job_create(kind="tests.count", municipality=town)
    with pytest.raises(KeyboardInterrupt), django_capture_on_commit_callbacks(execute=True):
        job_enqueue(job=job)  # immediate backend: runs on commit
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.attempts) == (Job.State.RUNNING, 2, 3, 1)
    # A second delivery of the same task does nothing: the job is not queued.
    assert job_run(job_id=job.pk) is None


def test_a_dead_worker_is_interrupted_and_the_job_resumes_where_it_stopped(
    town, django_capture_on_commit_callbacks
):
    CALLS.clear()
    job = job_create(kind="tests.count", municipality=town)
    with pytest.raises(KeyboardInterrupt):
        job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job_progress(job=job).state == Job.State.RUNNING  # heartbeat still fresh
    assert job_resume(job=job) is False  # not resumable while it may be alive
    later = timezone.now() + timedelta(hours=1)
    assert job_progress(job=job, now=later).can_resume
    assert jobs_mark_interrupted(now=later) == 1
    job.refresh_from_db()
    assert job.state == Job.State.INTERRUPTED
    with django_capture_on_commit_callbacks(execute=True):
        assert job_resume(job=job) is True  # immediate backend: runs the rest on commit
    job.refresh_from_db()
    assert (job.state, job.done, job.attempts) == (Job.State.DONE, 3, 2)
    assert CALLS == [(1, 0), (1, 1), (1, 2), (2, 2)]
    assert job_resume(job=job) is False


def test_a_slow_worker_whose_job_was_taken_over_stops(town):
    job = job_create(kind="tests.count", municipality=town)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, attempts=1)
    job.refresh_from_db()
    progress = Progress(job)
    Job.objects.filter(pk=job.pk).update(attempts=2)  # resumed elsewhere meanwhile
    with pytest.raises(JobLost):
        progress.advance(done=1)


def test_failure_is_recorded_without_the_exception_text(town, caplog):
    with translation.override("en"):
        job = job_create(kind="tests.fails", municipality=town)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error and job.error.isascii()  # in the starter's language (English)
    assert "山田" not in job.error and "山田" not in caplog.text
    assert job_progress(job=job).can_resume


def test_jobs_are_scoped_by_municipality(town):
    from django.http import Http404

    job = job_create(kind="tests.count", municipality=town)
    assert job_get(municipality=town, job_id=job.pk) == job
    with pytest.raises(Http404):
        job_get(municipality=MunicipalityFactory(), job_id=job.pk)


FORGOTTEN: list[int] = []


def forget(job: Job) -> None:
    FORGOTTEN.append(job.pk)


register(
    "tests.kept", "madoguchi.jobs.tests.test_jobs.count_to_three", cleanup=f"{__name__}.forget"
)


def test_old_finished_jobs_are_pruned_with_their_files(town, settings, tmp_path):
    from django.core.files.base import ContentFile

    from madoguchi.jobs.services import job_attach_result

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.JOBS_RETENTION_DAYS = 30
    now = timezone.now()
    old = job_create(kind="tests.kept", municipality=town)
    job_attach_result(job=old, content=ContentFile(b"name,kana\n"), name="export.csv")
    old.refresh_from_db()
    stored = tmp_path / old.result.name
    assert stored.is_file()
    Job.objects.filter(pk=old.pk).update(state=Job.State.DONE, finished_at=now - timedelta(days=31))
    recent = job_create(kind="tests.kept", municipality=town)
    Job.objects.filter(pk=recent.pk).update(
        state=Job.State.DONE, finished_at=now - timedelta(days=29)
    )
    running = job_create(kind="tests.kept", municipality=town)
    Job.objects.filter(pk=running.pk).update(
        state=Job.State.RUNNING, created_at=now - timedelta(days=90)
    )
    FORGOTTEN.clear()
    assert jobs_prune(now=now) == 1
    assert [old.pk] == FORGOTTEN  # the app's cleanup ran for it
    assert not stored.exists()
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}


def test_a_new_municipality_gets_the_jobs_registered_for_it(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Queued once its creation commits (not on later saves); nothing for a rolled-back one."""
    from django.db import transaction

    from madoguchi.jobs.registry import kinds_for_new_municipality

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert "faq.index" in kinds_for_new_municipality()
    with django_capture_on_commit_callbacks(execute=True):
        town = MunicipalityFactory()
    assert list(Job.objects.filter(municipality=town).values_list("kind", "state")) == [
        ("faq.index", Job.State.QUEUED)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        town.name = "改名"
        town.save()
    assert Job.objects.filter(municipality=town).count() == 1
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        MunicipalityFactory()
        raise RuntimeError
    assert Job.objects.count() == 1
