"""Back office: the inbox, an application's detail, its workflow actions and the audit record.

Mounted at /staff/applications/ (staff_urls.py). Every id from a URL goes through
staff_scope.access_application (404 for another municipality's or another department's
application). Every page that shows an application's personal data is written to the audit
record (core.audit).
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import audit_object, audit_search, staff_required
from madoguchi.accounts.models import StaffUser
from madoguchi.accounts.permissions import RECORD_PAYMENT
from madoguchi.core.audit import audit_events
from madoguchi.core.models import AuditAction
from madoguchi.procedures.formdef import summarize
from madoguchi.procedures.selectors import form_version_definition

from . import deadlines, preview, selectors, staff_scope, workflow
from .models import Application, Attachment, Status
from .payments import selectors as payment_selectors
from .staff_forms import (
    ORDER_LABELS,
    AssignForm,
    BulkForm,
    CorrectionForm,
    InboxFilterForm,
    NoteForm,
    TransitionForm,
)

PAGE_SIZE = 50
APPLICATION = "applications.application"
PROCESS = "applications.view_application"
# The inbox's free-text search (names, kana) is sent by POST and kept in the session, so it
# never appears in a URL or the access log; the other filters are codes and dates.
SEARCH_SESSION_KEY = "applications_inbox_q"
URL_FILTERS = (
    "procedure",
    "status",
    "channel",
    "assignee",
    "date_from",
    "date_to",
    "deadline",
    "payment",
    "order",
)


def _application(request: HttpRequest, pk: int) -> Application:
    return staff_scope.access_application(user=staff_user(request), application_id=pk)


# --- Inbox -----------------------------------------------------------------------------------


def _colleagues(user: StaffUser) -> list[StaffUser]:
    return list(
        StaffUser.objects.filter(municipality=user.municipality, is_active=True)
        .exclude(role="")
        .order_by("last_name", "first_name", "username")
    )


def _inbox_search_redirect(request: HttpRequest, data: Any, q: str) -> HttpResponse:
    request.session[SEARCH_SESSION_KEY] = q.strip()[:100]
    kept = [(k, v) for k in URL_FILTERS for v in data.getlist(k) if v]
    url = reverse("applications_staff:inbox")
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)


@staff_required(PROCESS, personal_data=True, list_view=True)
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _inbox_search_redirect(request, request.POST, request.POST.get("q", ""))
    if "clear" in request.GET:
        request.session.pop(SEARCH_SESSION_KEY, None)
        return redirect("applications_staff:inbox")
    if "q" in request.GET:  # an old bookmark: move the term out of the URL
        return _inbox_search_redirect(request, request.GET, request.GET.get("q", ""))
    user = staff_user(request)
    procedures = list(staff_scope.visible_procedures(user=user).values_list("pk", "name"))
    colleagues = _colleagues(user)
    data = {k: request.GET[k] for k in URL_FILTERS if k in request.GET}
    if request.session.get(SEARCH_SESSION_KEY):
        data["q"] = request.session[SEARCH_SESSION_KEY]
    form = InboxFilterForm(data or None, procedures=procedures, staff=colleagues)
    filters = form.filters()
    counts = selectors.inbox_status_counts(user=user, filters=filters)
    paginator = Paginator(selectors.inbox_list(user=user, filters=filters), PAGE_SIZE)
    # The status counts already hold the total: spare the paginator a second COUNT(*).
    paginator.__dict__["count"] = (
        counts.get(filters.status, 0) if filters.status else sum(counts.values())
    )
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    for application in page.object_list:
        application.elapsed_days = deadlines.elapsed_days(  # type: ignore[attr-defined]
            submitted_at=application.submitted_at, today=today
        )
        application.overdue = bool(  # type: ignore[attr-defined]
            application.due_on and application.due_on < today and not application.is_closed
        )
    audit_search(request, {**data, "page": page.number}, count=len(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    status_query = request.GET.copy()
    status_query.pop("page", None)
    status_query.pop("status", None)
    return render(
        request,
        "applications/staff/inbox.html",
        {
            "form": form,
            "page": page,
            "counts": [(value, label, counts[value]) for value, label in Status.choices],
            "total": sum(counts.values()),
            "current_status": filters.status,
            "query_string": query.urlencode(),
            "status_query_string": status_query.urlencode(),
            "no_scope": not procedures,
            "can_audit": staff_scope.can_read_audit(user),
            "bulk_form": BulkForm(staff=colleagues),
            "can_change": user.has_perm("applications.change_application"),
            "order_label": dict(ORDER_LABELS).get(filters.order, ""),
            "nav": "inbox",
        },
    )


@require_POST
@staff_required("applications.change_application", personal_data=False)
def bulk(request: HttpRequest) -> HttpResponse:
    """One assignment or one status change for the applications ticked in the inbox."""
    user = staff_user(request)
    form = BulkForm(request.POST, staff=_colleagues(user))
    back = reverse("applications_staff:inbox")
    query = request.POST.get("return_query", "")
    if query and not query.startswith(("/", "\\")) and "://" not in query:
        back = f"{back}?{query}"
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        for field in ("assignee", "to_status", "reason"):
            for error in form.errors.get(field, []):
                messages.error(request, f"{form.fields[field].label}: {error}")
        return redirect(back)
    ids = form.cleaned_data["ids"]
    found = {a.pk: a for a in staff_scope.visible_applications(user=user).filter(pk__in=ids)}
    outcome = workflow.applications_bulk_change(
        applications=[found[pk] for pk in ids if pk in found],
        actor=user,
        to_status=form.cleaned_data["to_status"],
        assignee=form.chosen_assignee(),
        unassign=form.cleaned_data["assignee"] == "none",
        reason=form.cleaned_data["reason"],
    )
    if outcome.changed:
        messages.success(request, _("%(n)s件を変更しました。") % {"n": len(outcome.changed)})
    missing = len(ids) - len(found)
    if missing:
        messages.error(
            request, _("%(n)s件は見つからないか、担当外のため変更していません。") % {"n": missing}
        )
    for receipt, why in outcome.refused:
        messages.error(request, _("%(receipt)s: %(why)s") % {"receipt": receipt, "why": why})
    return redirect(back)


# --- Detail ----------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    application: Application,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The detail page; `bound` carries a refused form so the staff member's input stays."""
    user = staff_user(request)
    application = (
        Application.objects.filter(municipality_id=application.municipality_id)
        .select_related("procedure", "form_version", "assignee", "export_run")
        .prefetch_related("attachments")
        .get(pk=application.pk)
    )
    audit_object(request, application)
    definition = form_version_definition(form_version=application.form_version)
    staff = workflow.assignable_staff(application=application)
    fields = workflow.correctable_fields(application=application)
    version = {"version": application.version}
    forms: dict[str, Any] = {
        "transition_form": TransitionForm(initial=version),
        "assign_form": AssignForm(
            initial={**version, "assignee": application.assignee_id or ""}, staff=staff
        ),
        "note_form": NoteForm(),
        "correction_form": CorrectionForm(initial=version, choices=fields),
    }
    forms.update(bound or {})
    payment = payment_selectors.application_payment(
        application_id=application.pk, municipality_id=application.municipality_id
    )
    corrections = [
        (c, selectors.correction_diff(correction=c))
        for c in application.corrections.order_by("requested_at", "pk")
    ]
    return render(
        request,
        "applications/staff/detail.html",
        {
            "application": application,
            "sections": [] if application.is_purged else summarize(definition, application.answers),
            "attachments": selectors.attachment_rows(application=application),
            "events": application.events.select_related("actor").order_by("at", "pk"),
            "corrections": corrections,
            "handoffs": application.handoffs.select_related("actor", "token"),
            "allowed_next": [
                (s, Status(s).label)
                for s in workflow.allowed_next(application.status)
                if s != Status.CORRECTION_REQUESTED
            ],
            "can_request_correction": Status.CORRECTION_REQUESTED
            in workflow.ALLOWED[application.status],
            "can_audit": staff_scope.can_read_audit(user),
            "payment": payment_selectors.payment_view(payment),
            "payment_events": payment_selectors.payment_events(payment=payment) if payment else [],
            "can_record_payment": user.has_perm(RECORD_PAYMENT),
            "nav": "inbox",
            **forms,
        },
        status=status,
    )


@staff_required(PROCESS, personal_data=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _application(request, pk))


def _refused(
    request: HttpRequest,
    application: Application,
    exc: workflow.WorkflowError,
    form_name: str,
    form: Any,
) -> HttpResponse:
    if isinstance(exc, workflow.StaleApplication):
        # Keep what they typed, now against the current version: after reading the latest
        # state they can send it again knowingly.
        data = form.data.copy()
        application.refresh_from_db(fields=["version"])
        data["version"] = str(application.version)
        form.data = data
        messages.error(request, exc.message)
        return _render_detail(request, application, bound={form_name: form}, status=409)
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return _render_detail(request, application, bound={form_name: form}, status=400)


@require_POST
@staff_required("applications.change_application", personal_data=True)
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, application, bound={"transition_form": form}, status=400)
    try:
        updated = workflow.application_transition(
            application=application,
            actor=staff_user(request),
            to_status=form.cleaned_data["to_status"],
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            reason_easy=form.cleaned_data["reason_easy"],
            internal_note=form.cleaned_data["internal_note"],
        )
    except workflow.WorkflowError as exc:
        return _refused(request, application, exc, "transition_form", form)
    messages.success(
        request, _("状態を「%(status)s」にしました。") % {"status": updated.get_status_display()}
    )
    return redirect("applications_staff:detail", pk=pk)


@require_POST
@staff_required("applications.change_application", personal_data=True)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = AssignForm(request.POST, staff=workflow.assignable_staff(application=application))
    if not form.is_valid():
        return _render_detail(request, application, bound={"assign_form": form}, status=400)
    try:
        workflow.application_assign(
            application=application,
            actor=staff_user(request),
            assignee=form.chosen(),
            expected_version=form.cleaned_data["version"],
        )
    except workflow.WorkflowError as exc:
        return _refused(request, application, exc, "assign_form", form)
    messages.success(request, _("担当者を変更しました。"))
    return redirect("applications_staff:detail", pk=pk)


@require_POST
@staff_required("applications.change_application", personal_data=True)
def note(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, application, bound={"note_form": form}, status=400)
    try:
        workflow.application_add_note(
            application=application, actor=staff_user(request), note=form.cleaned_data["note"]
        )
    except workflow.WorkflowError as exc:
        return _refused(request, application, exc, "note_form", form)
    messages.success(request, _("メモを残しました。"))
    return redirect("applications_staff:detail", pk=pk)


@require_POST
@staff_required("applications.change_application", personal_data=True)
def correction(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = CorrectionForm(
        request.POST, choices=workflow.correctable_fields(application=application)
    )
    if not form.is_valid():
        return _render_detail(request, application, bound={"correction_form": form}, status=400)
    try:
        issued = workflow.correction_request(
            application=application,
            actor=staff_user(request),
            expected_version=form.cleaned_data["version"],
            field_keys=form.cleaned_data["fields_to_correct"],
            message=form.cleaned_data["message"],
            deadline=form.cleaned_data["deadline"],
        )
    except workflow.WorkflowError as exc:
        return _refused(request, application, exc, "correction_form", form)
    if issued.application.contact_email:
        messages.success(request, _("補正を依頼し、申請者にメールでお知らせしました。"))
    else:
        messages.warning(
            request,
            _(
                "補正を依頼しました。申請者のメールアドレスがないため、次のリンクを郵便や電話で"
                "お知らせください（この画面を離れると二度と表示されません）：%(url)s"
            )
            % {"url": issued.url},
        )
    return redirect("applications_staff:detail", pk=pk)


ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


def _attachment(
    request: HttpRequest, pk: int, attachment_id: UUID
) -> tuple[Application, Attachment]:
    application = _application(request, pk)
    try:
        found = Attachment.objects.for_municipality(application.municipality).get(
            pk=attachment_id, application=application
        )
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    return application, found


def _sandboxed(response: ResponseT) -> ResponseT:
    """An attachment shown inline: nothing in it may run, load or be framed."""
    response["Content-Security-Policy"] = preview.SANDBOX_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required(PROCESS, personal_data=True)
def attachment(request: HttpRequest, pk: int, attachment_id: UUID) -> FileResponse:
    """The file itself: a download, or with ?inline=1 a raster image the browser shows."""
    application, found = _attachment(request, pk, attachment_id)
    inline = (
        request.GET.get("inline") == "1" and preview.preview_kind(found.content_type) == "image"
    )
    # Recorded against the application, so its audit trail shows the download too.
    audit_object(request, application, action=AuditAction.VIEW if inline else AuditAction.DOWNLOAD)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.original_name,
        content_type=found.content_type,
    )
    return _sandboxed(response)


@staff_required(PROCESS, personal_data=True)
def attachment_preview(request: HttpRequest, pk: int, attachment_id: UUID) -> HttpResponse:
    """A page showing the file as pictures: the image itself, or a PDF's first pages."""
    application, found = _attachment(request, pk, attachment_id)
    kind = preview.preview_kind(found.content_type)
    pages = 0
    unavailable = not kind
    if kind == "pdf":
        try:
            with found.file.open("rb") as handle:
                pages = preview.pdf_pages(handle.read())
        except preview.PreviewUnavailable:
            unavailable = True
    audit_object(request, application, action=AuditAction.VIEW)
    return render(
        request,
        "applications/staff/attachment_preview.html",
        {
            "application": application,
            "attachment": found,
            "kind": kind,
            "pages": range(1, pages + 1),
            "more_pages": pages == preview.MAX_PDF_PAGES,
            "unavailable": unavailable,
            "nav": "inbox",
        },
    )


@staff_required(PROCESS, personal_data=True)
def attachment_page(
    request: HttpRequest, pk: int, attachment_id: UUID, number: int
) -> HttpResponse:
    """One page of a PDF attachment rendered as a PNG image."""
    application, found = _attachment(request, pk, attachment_id)
    if preview.preview_kind(found.content_type) != "pdf":
        raise Http404
    # Recorded before rendering: a page that cannot be drawn was still asked for.
    audit_object(request, application, action=AuditAction.VIEW)
    try:
        with found.file.open("rb") as handle:
            png = preview.pdf_page_png(handle.read(), number)
    except preview.PreviewUnavailable as exc:
        raise Http404 from exc
    return _sandboxed(HttpResponse(png, content_type="image/png"))


# --- The audit record (managers) -----------------------------------------------------------


# The record shows the searches staff ran (which may be residents' names): reading it is audited.
@staff_required(PROCESS, "core.view_auditevent", personal_data=True, list_view=True)
def audit(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    receipt = request.GET.get("receipt_number", "").strip()[:20]
    object_id = ""
    if receipt:
        found = (
            Application.objects.for_municipality(user.municipality)  # type: ignore[arg-type]
            .filter(receipt_number=receipt)
            .values_list("pk", flat=True)
            .first()
        )
        object_id = str(found) if found is not None else "-"
    events = audit_events(
        municipality=user.municipality,
        object_type=APPLICATION if object_id else "",
        object_id=object_id,
        actor_label=request.GET.get("actor", "").strip()[:150],
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [int(e.object_id) for e in page if e.object_type == APPLICATION and e.object_id.isdigit()]
    receipts = dict(
        Application.objects.for_municipality(user.municipality)  # type: ignore[arg-type]
        .filter(pk__in=ids)
        .values_list("pk", "receipt_number")
    )
    rows = [(e, receipts.get(int(e.object_id)) if e.object_id.isdigit() else None) for e in page]
    return render(
        request,
        "applications/staff/audit.html",
        {
            "page": page,
            "rows": rows,
            "receipt_number": receipt,
            "actor": request.GET.get("actor", ""),
            "can_audit": True,
            "nav": "audit",
        },
    )
