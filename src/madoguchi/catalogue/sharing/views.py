"""Staff pages for shared procedures (mounted at /staff/catalogue/shared/).

A municipality's staff browse what the nation and their prefecture offer, adopt in one click,
set local overrides and take pending updates after reading what changed. A prefecture's DX team
publishes the prefecture's procedures and sees how many municipalities took each version.
Ids from a URL are looked up inside the user's municipality or prefecture (else 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import Tenant, staff_required
from madoguchi.accounts.permissions import SHARED_PUBLISH, SHARED_VIEW
from madoguchi.tenancy.models import Municipality, Prefecture

from . import selectors, services
from .forms import OverridesForm, PublishForm

VIEW = "catalogue.view_procedureadoption"
ADOPT = "catalogue.add_procedureadoption"
CHANGE = "catalogue.change_procedureadoption"


def _municipality(request: HttpRequest) -> Municipality:
    municipality = staff_user(request).municipality
    assert municipality is not None  # the guard lets only municipality staff in
    return municipality


def _prefecture(request: HttpRequest) -> Prefecture:
    prefecture = staff_user(request).prefecture
    assert prefecture is not None  # the guard lets only prefecture users in
    return prefecture


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


# --- The municipality ---------------------------------------------------------------------------


@staff_required(VIEW, personal_data=False)
def catalogue(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    offered = list(selectors.offered_shared_procedures(municipality=municipality))
    rows = selectors.adoptions(municipality=municipality)
    return render(
        request,
        "catalogue/sharing/catalogue.html",
        {
            "prefecture_offers": [s for s in offered if s.prefecture_id is not None],
            "national_offers": [s for s in offered if s.prefecture_id is None],
            "adopted": selectors.adopted_shared_ids(municipality=municipality),
            "pending": [row for row in rows if row.pending],
            "adoptions": rows,
            "can_adopt": request.user.has_perm(ADOPT),
        },
    )


@require_POST
@staff_required(ADOPT, personal_data=False)
def adopt(request: HttpRequest, shared_id: int) -> HttpResponse:
    municipality = _municipality(request)
    shared = selectors.offered_shared_procedure_get(municipality=municipality, pk=shared_id)
    if shared is None:
        raise Http404
    try:
        adoption = services.procedure_adopt(
            municipality=municipality, shared=shared, adopted_by=staff_user(request)
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("catalogue_shared:catalogue")
    messages.success(
        request,
        _("「%(name)s」を採用しました。住民向けの手続一覧に公開されています。")
        % {"name": shared.name},
    )
    return redirect("catalogue_shared:adoption", adoption_id=adoption.pk)


@staff_required(VIEW, personal_data=False)
def adoption(request: HttpRequest, adoption_id: int) -> HttpResponse:
    municipality = _municipality(request)
    found = selectors.adoption_get(municipality=municipality, pk=adoption_id)
    form = OverridesForm.for_adoption(found)
    errors: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        form = OverridesForm(request.POST)
        if form.is_valid():
            try:
                services.adoption_overrides_update(
                    adoption=found, changed_by=staff_user(request), **form.cleaned_data
                )
            except ValidationError as exc:
                errors = _errors(exc)
                found.refresh_from_db()
            else:
                messages.success(request, _("自治体の設定を保存しました。"))
                return redirect("catalogue_shared:adoption", adoption_id=found.pk)
    latest = found.shared.latest_version
    return render(
        request,
        "catalogue/sharing/adoption.html",
        {
            "adoption": found,
            "latest": latest,
            "changes": selectors.adoption_pending_changes(adoption=found),
            "form": form,
            "errors": errors,
            "can_change": request.user.has_perm(CHANGE),
        },
        status=400 if request.method == "POST" else 200,  # only an invalid POST gets here
    )


@require_POST
@staff_required(CHANGE, personal_data=False)
def take_update(request: HttpRequest, adoption_id: int) -> HttpResponse:
    municipality = _municipality(request)
    found = selectors.adoption_get(municipality=municipality, pk=adoption_id)
    try:
        taken = services.adoption_update_take(adoption=found, taken_by=staff_user(request))
    except ValidationError as exc:
        # The municipality's own fields no longer fit the new version (e.g. a key now taken).
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("catalogue_shared:adoption", adoption_id=found.pk)
    messages.success(
        request,
        _("第%(number)s版に更新しました。自治体の設定はそのまま残っています。")
        % {"number": taken.version.number},
    )
    return redirect("catalogue_shared:adoption", adoption_id=found.pk)


@require_POST
@staff_required(CHANGE, personal_data=False)
def withdraw(request: HttpRequest, adoption_id: int) -> HttpResponse:
    municipality = _municipality(request)
    found = selectors.adoption_get(municipality=municipality, pk=adoption_id)
    procedure = services.adoption_withdraw(adoption=found, withdrawn_by=staff_user(request))
    messages.success(
        request,
        _(
            "「%(name)s」の採用を取りやめました。住民向けの一覧から外れ、新しい申請は受け付けません。"
            "受け付け済みの申請はそのまま残ります。"
        )
        % {"name": procedure.name},
    )
    return redirect("catalogue_shared:catalogue")


# --- The prefecture -----------------------------------------------------------------------------


@staff_required(SHARED_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def prefecture_list(request: HttpRequest) -> HttpResponse:
    prefecture = _prefecture(request)
    form = PublishForm()
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm(SHARED_PUBLISH):
            raise PermissionDenied
        form = PublishForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                version = services.shared_procedure_publish(
                    prefecture=prefecture,
                    data=form.cleaned_data["procedure_json"],
                    note=form.cleaned_data["note"],
                    published_by=staff_user(request),
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(
                    request,
                    _("「%(name)s」第%(number)s版を公開しました。")
                    % {"name": version.shared.name, "number": version.number},
                )
                return redirect("catalogue_shared:prefecture_detail", shared_id=version.shared_id)
    return render(
        request,
        "catalogue/sharing/prefecture.html",
        {
            "prefecture": prefecture,
            "rows": selectors.prefecture_shared_procedures(prefecture=prefecture),
            "form": form,
            "errors": errors,
            "can_publish": request.user.has_perm(SHARED_PUBLISH),
        },
        status=status,
    )


@staff_required(SHARED_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def prefecture_detail(request: HttpRequest, shared_id: int) -> HttpResponse:
    prefecture = _prefecture(request)
    shared = selectors.prefecture_shared_procedure_get(prefecture=prefecture, pk=shared_id)
    if shared is None:
        raise Http404
    return render(
        request,
        "catalogue/sharing/prefecture_detail.html",
        {"shared": shared, "history": selectors.version_history(shared=shared)},
    )
