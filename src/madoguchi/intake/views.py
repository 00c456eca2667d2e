"""Staff screens of the intake, under `staff/intake/`.

Every id in a URL is resolved within the staff member's municipality (404 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality

from . import selectors, services
from .forms import BundleUploadForm, LinkageUploadForm
from .models import QuarantineItem


def _staff(permission: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if (
                not isinstance(user, StaffUser)
                or user.municipality is None
                or not user.has_perm(permission)
            ):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _municipality(request: HttpRequest) -> Municipality:
    municipality = staff_user(request).municipality
    assert municipality is not None
    return municipality


@_staff("intake.view_importrun")
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


@_staff("intake.view_importrun")
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


@_staff("intake.view_quarantineitem")
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


@_staff("intake.view_quarantineitem")
def quarantine_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.quarantine_get(municipality=_municipality(request), item_id=item_id)
    return render(request, "intake/quarantine_item.html", {"item": item})


@require_POST
@_staff("intake.change_quarantineitem")
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
@_staff("intake.change_quarantineitem")
def quarantine_dismiss(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.quarantine_get(municipality=_municipality(request), item_id=item_id)
    services.quarantine_dismiss(item=item, actor=staff_user(request))
    messages.success(request, _("対応不要にしました。"))
    return redirect("intake:quarantine")


@_staff("intake.view_linkageimport")
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
@_staff("intake.add_importrun")
def run_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(municipality=_municipality(request), run_id=run_id)
    if services.bundle_import_resume(run=run):
        messages.success(request, _("取込を続きから再開しました。"))
    else:
        messages.error(request, _("この取込は再開できません（実行中か、既に終わっています）。"))
    return redirect("intake:run", run_id=run.pk)
