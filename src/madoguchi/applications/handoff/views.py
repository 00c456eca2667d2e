"""Hand-off pages: (1) transcription, (2) RPA, (4) bulk CSV export. (3) is handoff/api.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import audit_object, audit_search, staff_required
from madoguchi.core import jis
from madoguchi.core.models import AuditAction
from madoguchi.jobs.models import Job
from madoguchi.jobs.selectors import job_for_subject, job_progress
from madoguchi.jobs.services import job_resume
from madoguchi.procedures.selectors import form_version_definition
from madoguchi.tenancy.access import access_tenant_object

from .. import staff_scope
from ..models import Application, HandoffMethod, Status
from ..staff_forms import ExportForm
from ..staff_views import PROCESS
from . import csv_export, services
from .layout import Column, columns_for, display
from .models import ExportRun


def _sheet(
    request: HttpRequest, pk: int, action: str
) -> tuple[Application, list[tuple[Column, str]]]:
    user = staff_user(request)
    application = staff_scope.access_application(user=user, application_id=pk)
    audit_object(request, application, action=action)
    definition = form_version_definition(form_version=application.form_version)
    answers = application.answers
    rows = [
        (column, display(column, answers))
        for column in columns_for(definition)
        if _present(column, answers)
    ]
    return application, rows


def _present(column: Column, answers: dict[str, Any]) -> bool:
    """Group repeats beyond the items given (子ども3〜10 when two were given) are left off."""
    if len(column.path) >= 3 and isinstance(column.path[1], int):
        items = answers.get(str(column.path[0]))
        return isinstance(items, list) and column.path[1] < len(items)
    return True


@staff_required(PROCESS, personal_data=True)
def transcription(request: HttpRequest, pk: int) -> HttpResponse:
    """(1) The values in the core system's field order, printable, each one easy to copy."""
    application, rows = _sheet(request, pk, AuditAction.TRANSCRIPTION)
    return render(
        request,
        "applications/staff/transcription.html",
        {"application": application, "rows": rows, "nav": "inbox"},
    )


@staff_required(PROCESS, personal_data=True)
def rpa(request: HttpRequest, pk: int) -> HttpResponse:
    """(2) A bare page with documented, stable element ids (docs/handoff.md)."""
    application, rows = _sheet(request, pk, AuditAction.RPA)
    return render(
        request, "applications/staff/rpa.html", {"application": application, "rows": rows}
    )


@staff_required(PROCESS, personal_data=True, list_view=True)
def rpa_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """(2) The applications of a procedure not yet handed off, oldest first (for RPA)."""
    user = staff_user(request)
    procedure = staff_scope.visible_procedures(user=user).filter(slug=slug).first()
    if procedure is None:
        raise Http404
    items = (
        staff_scope.visible_applications(user=user)
        .filter(procedure=procedure, handed_off_at__isnull=True, purged_at__isnull=True)
        .exclude(status=Status.WITHDRAWN)
        .order_by("submitted_at", "pk")
        .only("pk", "receipt_number", "status", "submitted_at")[:500]
    )
    audit_search(request, {"procedure": procedure.slug}, count=len(items))
    return render(
        request, "applications/staff/rpa_queue.html", {"procedure": procedure, "items": items}
    )


@require_POST
@staff_required("applications.change_application", personal_data=False)
def mark_handed_off(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    application = staff_scope.access_application(user=user, application_id=pk)
    method = request.POST.get("method", "")
    if method not in (HandoffMethod.TRANSCRIPTION, HandoffMethod.RPA):
        messages.error(request, _("連携方法が正しくありません。"))
        return redirect("applications_staff:detail", pk=pk)
    try:
        services.application_mark_handed_off(application=application, method=method, actor=user)
    except services.HandoffRefused as exc:
        messages.error(request, exc.message)
        return redirect("applications_staff:detail", pk=pk)
    if method == HandoffMethod.RPA:
        return redirect("applications_staff:rpa", pk=pk)
    messages.success(request, _("基幹システムへ連携済にしました。"))
    return redirect("applications_staff:detail", pk=pk)


# --- (4) Bulk CSV ----------------------------------------------------------------------------


@staff_required(PROCESS, personal_data=False)
def export(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    procedures = staff_scope.visible_procedures(user=user)
    choices = list(procedures.values_list("pk", "name"))
    form = ExportForm(request.POST or None, procedures=choices)
    problems: list[csv_export.Unrepresentable] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        procedure = procedures.get(pk=form.cleaned_data["procedure"])
        encoding = form.cleaned_data["encoding"]
        only_new = form.cleaned_data["only_new"]
        substitute = form.cleaned_data["substitute"]
        selected = csv_export.export_candidates(
            applications=staff_scope.visible_applications(user=user).filter(procedure=procedure),
            only_new=only_new,
        )
        if encoding == ExportRun.Encoding.CP932 and not substitute:
            problems = csv_export.find_unrepresentable(selected)
        if problems:
            status = 400
        else:
            run = services.export_start(
                actor=user,
                procedure=procedure,
                applications=selected,
                encoding=encoding,
                only_new=only_new,
                substitute=substitute,
            )
            if run is None:
                messages.info(
                    request, _("出力する申請はありません（前回の出力より後の申請がありません）。")
                )
                return redirect("applications_staff:export")
            return redirect("applications_staff:export_run", run_id=run.pk)
    elif request.method == "POST":
        status = 400
    runs = (
        ExportRun.objects.for_municipality(user.municipality)  # type: ignore[arg-type]
        .filter(procedure__in=procedures)
        .select_related("procedure", "actor")[:20]
    )
    return render(
        request,
        "applications/staff/export.html",
        {
            "form": form,
            "problems": problems,
            "standings": csv_export.export_standings(
                procedures=procedures, applications=staff_scope.visible_applications(user=user)
            ),
            "runs": runs,
            "nav": "export",
            "can_audit": staff_scope.can_read_audit(user),
        },
        status=status,
    )


def _run(request: HttpRequest, run_id: int) -> ExportRun:
    user = staff_user(request)
    assert user.municipality is not None
    run = access_tenant_object(ExportRun, municipality=user.municipality, pk=run_id)
    if not staff_scope.visible_procedures(user=user).filter(pk=run.procedure_id).exists():
        raise Http404
    return run


@staff_required(PROCESS, personal_data=True)
def export_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    substituted: list[csv_export.Unrepresentable] = []
    outside_jis: list[csv_export.Unrepresentable] = []
    if run.encoding == ExportRun.Encoding.CP932:
        exported = Application.objects.filter(export_run=run, municipality_id=run.municipality_id)
        if run.substitute:
            substituted = csv_export.find_unrepresentable(exported)
        # Written as cp932 holds them, but outside JIS X 0208: a strict system may not show them.
        outside_jis = csv_export.find_unrepresentable(
            exported, kinds=frozenset({jis.Kind.VENDOR, jis.Kind.PRIVATE})
        )
    job = _export_job(run)
    return render(
        request,
        "applications/staff/export_run.html",
        {
            "run": run,
            "progress": job_progress(job=job) if job is not None else None,
            "substituted": substituted,
            "outside_jis": outside_jis,
            "nav": "export",
            "can_audit": staff_scope.can_read_audit(staff_user(request)),
        },
    )


def _export_job(run: ExportRun) -> Job | None:
    return job_for_subject(
        municipality=run.municipality, kind=services.EXPORT_JOB_KIND, subject_id=run.pk
    )


@require_POST
@staff_required(PROCESS, personal_data=False)
def export_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    job = _export_job(_run(request, run_id))
    if job is None or not job_resume(job=job):
        messages.error(request, _("この出力は再開できません（実行中か、既に終わっています）。"))
    return redirect("applications_staff:export_run", run_id=run_id)


@staff_required(PROCESS, personal_data=True)
def export_download(request: HttpRequest, run_id: int) -> StreamingHttpResponse | FileResponse:
    run = _run(request, run_id)
    job = _export_job(run)
    if job is not None and not (job.state == Job.State.DONE and job.result):
        raise Http404  # the background job has not written the file yet
    audit_object(request, run, action=AuditAction.EXPORT, count=run.count)
    charset = "shift_jis" if run.encoding == ExportRun.Encoding.CP932 else "utf-8"
    if job is not None:
        return FileResponse(
            job.result.open("rb"),
            as_attachment=True,
            filename=csv_export.filename(run),
            content_type=f"text/csv; charset={charset}",
        )
    response = StreamingHttpResponse(
        csv_export.stream(run), content_type=f"text/csv; charset={charset}"
    )
    response["Content-Disposition"] = f'attachment; filename="{csv_export.filename(run)}"'
    return response
