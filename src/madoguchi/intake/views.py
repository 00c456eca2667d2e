"""Staff screens of the intake, under `staff/intake/`.

Every id in a URL is resolved within the staff member's municipality (404 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import staff_required
from madoguchi.tenancy.models import Municipality

from . import selectors, services
from .forms import BundleUploadForm, LinkageUploadForm
from .models import QuarantineItem


def _municipality(request: HttpRequest) -> Municipality:
    municipality = staff_user(request).municipality
    assert municipality is not None
    return municipality


@staff_required("intake.view_importrun", personal_data=False)
def home(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    form = BundleUploadForm()
    if request.method == "POST":
        if not request.user.has_perm("intake.add_importrun"):
            raise PermissionDenied
        form = BundleUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["bundle"]
            # Stored and queued: the import runs as a background job, never in this request.
            run = services.bundle_import_start(
                municipality=municipality,
                upload=upload,
                actor=staff_user(request),
                source_name=upload.name or "",
            )
            if run.status == run.Status.REFUSED:
                messages.error(request, run.error)
            elif run.status == run.Status.COMPLETED:
                messages.success(
                    request,
                    _(
                        "取り込みました：新規 %(imported)s 件、取込済み %(duplicates)s 件、保留 %(rejected)s 件。"
                    )
                    % {
                        "imported": run.imported,
                        "duplicates": run.duplicates,
                        "rejected": run.rejected,
                    },
                )
            else:
                messages.success(
                    request,
                    _("取込を受け付けました。進み具合はこの画面で確認できます。"),
                )
            return redirect("intake:run", run_id=run.pk)
    return render(
        request,
        "intake/home.html",
        {
            "form": form,
            "runs": selectors.run_list(municipality=municipality)[:50],
            "pending": selectors.pending_quarantine_count(municipality=municipality),
        },
    )


@staff_required("intake.view_importrun", personal_data=True)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(municipality=_municipality(request), run_id=run_id)
    return render(
        request,
        "intake/run.html",
        {
            "run": run,
            "progress": selectors.run_progress(run=run),
            "records": selectors.run_applications(run=run)[:500],
            "quarantine": selectors.quarantine_list(
                municipality=run.municipality, status="", run=run
            ),
        },
    )


@staff_required("intake.view_quarantineitem", personal_data=True, list_view=True)
def quarantine(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", QuarantineItem.Status.PENDING)
    if status not in QuarantineItem.Status.values:
        status = QuarantineItem.Status.PENDING
    return render(
        request,
        "intake/quarantine.html",
        {
            "items": selectors.quarantine_list(municipality=_municipality(request), status=status)[
                :200
            ],
            "status": status,
            "statuses": QuarantineItem.Status.choices,
        },
    )


@staff_required("intake.view_quarantineitem", personal_data=True)
def quarantine_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.quarantine_get(municipality=_municipality(request), item_id=item_id)
    return render(request, "intake/quarantine_item.html", {"item": item})


@require_POST
@staff_required("intake.change_quarantineitem", personal_data=False)
def quarantine_retry(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.quarantine_get(municipality=_municipality(request), item_id=item_id)
    outcome = services.quarantine_retry(item=item, actor=staff_user(request))
    if outcome.imported:
        messages.success(request, _("再取込しました。"))
    elif outcome.duplicate:
        messages.success(request, _("この申請は既に取り込まれています。"))
    else:
        messages.error(request, _("まだ取り込めません。理由を確認してください。"))
    return redirect("intake:quarantine_item", item_id=item.pk)


@require_POST
@staff_required("intake.change_quarantineitem", personal_data=False)
def quarantine_dismiss(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.quarantine_get(municipality=_municipality(request), item_id=item_id)
    services.quarantine_dismiss(item=item, actor=staff_user(request))
    messages.success(request, _("対応不要にしました。"))
    return redirect("intake:quarantine")


@staff_required("intake.view_linkageimport", personal_data=False)
def linkage(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    form = LinkageUploadForm()
    if request.method == "POST":
        if not request.user.has_perm("intake.add_linkageimport"):
            raise PermissionDenied
        form = LinkageUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["csv_file"]
            try:
                history = services.linkage_import(
                    municipality=municipality,
                    path_or_file=upload,
                    actor=staff_user(request),
                    full_replace=form.cleaned_data["full_replace"],
                    source_name=upload.name or "",
                )
            except services.LinkageRefused as exc:
                form.add_error("csv_file", exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "紐付け表を取り込みました：追加 %(created)s 件、更新 %(updated)s 件、削除 %(removed)s 件、新たに照合 %(matched)s 件。"
                    )
                    % {
                        "created": history.created,
                        "updated": history.updated,
                        "removed": history.removed,
                        "matched": history.matched,
                    },
                )
                return redirect("intake:linkage")
    return render(
        request,
        "intake/linkage.html",
        {"form": form, "history": selectors.linkage_history(municipality=municipality)[:50]},
    )


@require_POST
@staff_required("intake.add_importrun", personal_data=False)
def run_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(municipality=_municipality(request), run_id=run_id)
    if services.bundle_import_resume(run=run):
        messages.success(request, _("取込を続きから再開しました。"))
    else:
        messages.error(request, _("この取込は再開できません（実行中か、既に終わっています）。"))
    return redirect("intake:run", run_id=run.pk)
