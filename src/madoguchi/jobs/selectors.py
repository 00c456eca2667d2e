"""Reads of jobs for the staff screens that follow them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality

from .models import Job
from .services import RESUMABLE, stale_after


@dataclass(frozen=True)
class JobProgress:
    """What the progress panel shows; a running job without a heartbeat reads as interrupted."""

    id: int
    kind: str
    state: str
    state_label: str
    done: int
    total: int
    quarantined: int
    error: str
    active: bool  # queued or running: the page refreshes itself
    can_resume: bool
    has_result: bool

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


def job_get(*, municipality: Municipality, job_id: int) -> Job:
    """A job of this municipality; Http404 when missing or another municipality's."""
    return access_tenant_object(Job, municipality=municipality, pk=job_id)


def job_for_subject(*, municipality: Municipality, kind: str, subject_id: str | int) -> Job | None:
    """The latest job of `kind` working on `subject_id` in this municipality, if any."""
    return (
        Job.objects.for_municipality(municipality)
        .filter(kind=kind, subject_id=str(subject_id))
        .order_by("-created_at", "-pk")
        .first()
    )


def job_latest(*, municipality: Municipality, kind: str) -> Job | None:
    """The municipality's latest job of `kind`, if any."""
    return Job.objects.for_municipality(municipality).filter(kind=kind).first()


def job_progress(*, job: Job, now: datetime | None = None) -> JobProgress:
    state = job.state
    if state == Job.State.RUNNING and (
        job.heartbeat_at is None or job.heartbeat_at < (now or timezone.now()) - stale_after()
    ):
        state = Job.State.INTERRUPTED
    return JobProgress(
        id=job.pk,
        kind=job.kind,
        state=state,
        state_label=str(Job.State(state).label),
        done=job.done,
        total=job.total,
        quarantined=job.quarantined,
        error=job.error,
        active=state in (Job.State.QUEUED, Job.State.RUNNING),
        can_resume=state in RESUMABLE,
        has_result=bool(job.result) and state == Job.State.DONE,
    )
