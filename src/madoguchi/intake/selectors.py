"""Reads for the intake screens, always scoped by municipality."""

from __future__ import annotations

from django.db.models import QuerySet

from madoguchi.applications.models import Application
from madoguchi.jobs.selectors import JobProgress, job_progress
from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality

from .models import ImportedApplication, ImportRun, LinkageImport, QuarantineItem


def run_list(*, municipality: Municipality) -> QuerySet[ImportRun]:
    return ImportRun.objects.for_municipality(municipality).select_related("actor")  # type: ignore[no-any-return]


def run_get(*, municipality: Municipality, run_id: int) -> ImportRun:
    """A run of this municipality; Http404 when missing or another municipality's."""
    return access_tenant_object(ImportRun, municipality=municipality, pk=run_id)


def run_progress(*, run: ImportRun) -> JobProgress | None:
    """The progress of the run's background job (None for a command-line import)."""
    return job_progress(job=run.job) if run.job is not None else None


def run_applications(*, run: ImportRun) -> QuerySet[ImportedApplication]:
    return (
        ImportedApplication.objects.for_municipality(run.municipality)
        .filter(run=run)
        .select_related("application", "application__procedure")
        .order_by("pk")
    )


def quarantine_list(
    *,
    municipality: Municipality,
    status: str = QuarantineItem.Status.PENDING,
    run: ImportRun | None = None,
) -> QuerySet[QuarantineItem]:
    qs = QuarantineItem.objects.for_municipality(municipality).select_related("run")
    if status:
        qs = qs.filter(status=status)
    if run is not None:
        qs = qs.filter(run=run)
    return qs  # type: ignore[no-any-return]


def quarantine_get(*, municipality: Municipality, item_id: int) -> QuarantineItem:
    return access_tenant_object(QuarantineItem, municipality=municipality, pk=item_id)


def pending_quarantine_count(*, municipality: Municipality) -> int:
    return quarantine_list(municipality=municipality).count()


def linkage_history(*, municipality: Municipality) -> QuerySet[LinkageImport]:
    return LinkageImport.objects.for_municipality(municipality).select_related("actor")  # type: ignore[no-any-return]


def applicant_match(*, application: Application) -> ImportedApplication | None:
    """How a bundle application's applicant was identified (None for other channels).

    For the back office's detail view: show `match`, `resident_number` (宛名番号) and
    `certificate_serial` of the returned record.
    """
    return (
        ImportedApplication.objects.for_municipality(application.municipality)
        .filter(application=application)
        .first()
    )
