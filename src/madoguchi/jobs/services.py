"""Starting, running, advancing, finishing and resuming jobs.

How a job survives the death of its worker
------------------------------------------
The task carries only the job's id. `job_run` claims the job (queued → running, one attempt
more) with a conditional UPDATE, so a task delivered twice runs once. The work reports its
progress through `Progress.advance`, which also beats the heart; a job whose heart has not
beaten for `JOBS_STALE_AFTER_SECONDS` is interrupted (its worker died: killed, out of memory,
host restarted). Staff resume it: the job is queued again and the work, which must be
idempotent, continues from `job.done`. Each `advance` is a conditional UPDATE on the attempt
it belongs to, so a worker that was only slow, and whose job was resumed elsewhere meanwhile,
gets `JobLost` at its next step and stops — inside its own transaction, which then rolls back.

The web request never does the work itself unless the task backend is the immediate one
(the default for one process); it never forks.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from madoguchi.accounts.models import StaffUser
from madoguchi.core.tasks import enqueue_on_commit
from madoguchi.tenancy.models import Municipality

from .models import Job
from .registry import Work, cleanup_for, kinds_for_new_municipality, work_for

logger = logging.getLogger(__name__)

RESUMABLE = (Job.State.INTERRUPTED, Job.State.FAILED)


class JobLost(Exception):
    """The job is no longer this worker's (interrupted and resumed elsewhere): stop now."""


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "JOBS_STALE_AFTER_SECONDS", 600))


class Progress:
    """What a running job reports; every call is also a heartbeat."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._attempt = job.attempts

    def advance(
        self, *, done: int | None = None, total: int | None = None, quarantined: int | None = None
    ) -> None:
        """Record progress (call it inside the transaction that did the work it counts)."""
        job = self.job
        changes: dict[str, Any] = {"heartbeat_at": timezone.now()}
        for name, value in (("done", done), ("total", total), ("quarantined", quarantined)):
            if value is not None:
                changes[name] = value
        updated = Job.objects.filter(
            pk=job.pk, state=Job.State.RUNNING, attempts=self._attempt
        ).update(**changes)
        if not updated:
            raise JobLost(f"job {job.pk}")
        for name, value in changes.items():
            setattr(job, name, value)

    def heartbeat(self) -> None:
        self.advance()


def job_create(
    *,
    kind: str,
    municipality: Municipality,
    started_by: StaffUser | None = None,
    total: int = 0,
    subject_id: str | int = "",
) -> Job:
    """A queued job; enqueue its task with `job_enqueue` in the same transaction."""
    return Job.objects.create(
        municipality=municipality,
        kind=kind,
        subject_id=str(subject_id),
        total=total,
        started_by=started_by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_at=timezone.now(),
        token=secrets.token_hex(16),
    )


def job_enqueue(*, job: Job) -> None:
    """Queue the job's task; sent when the surrounding transaction commits."""
    enqueue_on_commit(run_job, job_id=job.pk)


def jobs_start_for_new_municipality(*, municipality: Municipality) -> list[Job]:
    """Queue the jobs every new municipality gets (kinds registered `for_new_municipality`)."""
    with transaction.atomic():
        jobs = [
            job_create(kind=kind, municipality=municipality)
            for kind in kinds_for_new_municipality()
        ]
        for job in jobs:
            job_enqueue(job=job)
    return jobs


def municipality_saved(
    sender: Any, instance: Municipality, created: bool, raw: bool, **_: Any
) -> None:
    """post_save of Municipality (connected in JobsConfig.ready): a new municipality is created in
    the admin or by a loader, and tenancy sits below jobs, so this is the one place that sees every
    creation. The jobs are queued once the creation has committed (nothing for a rolled-back one);
    an app must not rely on them alone (the FAQ also queues its index job on the first entry)."""
    if created and not raw:
        transaction.on_commit(lambda: jobs_start_for_new_municipality(municipality=instance))


@task()
def run_job(job_id: int) -> None:
    """The one task of every job kind (its only argument an id: no personal data in the queue)."""
    job_run(job_id=job_id)


def job_run(*, job_id: int, work: Work | None = None) -> Job | None:
    """Claim a queued job, run its work (registered for its kind, or `work`) as
    `work(job, progress)` in the starter's language, and record the outcome.

    None when the job is not queued (already run, running elsewhere, or unknown)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        started_at=now,
        finished_at=None,
        error="",
    )
    if not claimed:
        logger.info("jobs: job %s is not queued; nothing to do", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    progress = Progress(job)
    work = work or work_for(job.kind)
    with translation.override(job.language):
        try:
            work(job, progress)
        except JobLost:
            logger.warning("jobs: job %s was taken over; this attempt stops", job_id)
            return job
        except Exception as exc:
            # The code path only: the exception's message may quote personal data.
            where = "".join(traceback.format_tb(exc.__traceback__)[-3:])
            logger.error(
                "jobs: job %s (%s) failed with %s\n%s", job_id, job.kind, type(exc).__name__, where
            )
            _finish(
                job,
                progress,
                Job.State.FAILED,
                _(
                    "処理の途中でエラーが発生しました。「続きから再開する」で、終わったところの続きから実行します。"
                ),
            )
            return job
        _finish(job, progress, Job.State.DONE, "")
    return job


def _finish(job: Job, progress: Progress, state: str, error: str) -> None:
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts).update(
        state=state, error=error, finished_at=now, heartbeat_at=now
    )
    if updated:
        job.state, job.error, job.finished_at, job.heartbeat_at = state, error, now, now


def job_attach_result(*, job: Job, content: Any, name: str) -> None:
    """Store the file a job produced (private storage); downloaded through a guarded view."""
    job.result.save("result", content, save=False)
    job.result_name = name[:255]
    Job.objects.filter(pk=job.pk).update(result=job.result.name, result_name=job.result_name)


def jobs_mark_interrupted(*, now: datetime | None = None) -> int:
    """Mark running jobs whose worker stopped beating as interrupted; how many."""
    cutoff = (now or timezone.now()) - stale_after()
    return Job.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True), state=Job.State.RUNNING
    ).update(state=Job.State.INTERRUPTED)


def job_resume(*, job: Job) -> bool:
    """Queue an interrupted or failed job again (its work continues from `job.done`).

    False when it cannot be resumed (finished, or still running with a live heartbeat)."""
    jobs_mark_interrupted()
    with transaction.atomic():
        resumed = Job.objects.filter(pk=job.pk, state__in=RESUMABLE).update(
            state=Job.State.QUEUED, error="", finished_at=None
        )
        if resumed:
            job_enqueue(job=job)
    job.refresh_from_db()
    return bool(resumed)


def jobs_prune(*, now: datetime | None = None) -> int:
    """Delete jobs finished (or given up) more than JOBS_RETENTION_DAYS ago, with their files.

    Each app's cleanup for the kind runs first (an import's stored bundle); the job's own result
    file (an export, personal data) is deleted with it. Running and queued jobs are kept.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOBS_RETENTION_DAYS)
    old = Job.objects.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff),
        state__in=(Job.State.DONE, Job.State.FAILED, Job.State.INTERRUPTED),
    )
    pruned = 0
    for job in old.iterator():
        cleanup = cleanup_for(job.kind)
        if cleanup is not None:
            cleanup(job)
        if job.result:
            job.result.delete(save=False)
        job.delete()
        pruned += 1
    return pruned
