"""Pages of the talent pool (mounted under /staff/region/talent/).

The prefecture keeps the specialists and assigns them; a municipality posts its needs and reads
their assignments and visits. Contact details are on one page only, for the DX team, audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import Tenant, audit_object, staff_required
from madoguchi.accounts.permissions import REGION_MANAGE, REGION_TAKE_PART, REGION_VIEW
from madoguchi.core.models import AuditAction
from madoguchi.tenancy.access import Scope

from ..models import AssignmentStatus
from ..pages import prefecture_of
from ..selectors import prefecture_municipalities
from . import selectors, services
from .forms import AssignForm, EndForm, NeedForm, SpecialistForm, VisitForm


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    scope = Scope.of_staff(user)
    specialists = None
    if scope.is_prefecture:
        specialists = selectors.specialist_list(prefecture=prefecture_of(request))
    return render(
        request,
        "region/talent/home.html",
        {
            "specialists": specialists,
            "needs": selectors.need_list(scope=scope),
            "is_prefecture": scope.is_prefecture,
            "can_manage": user.has_perm(REGION_MANAGE) and scope.is_prefecture,
            "labels": selectors.labels(),
        },
    )


def _specialist_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    prefecture = prefecture_of(request)
    specialist = None
    if pk is not None:
        specialist, _contact = selectors.specialist_contact(prefecture=prefecture, pk=pk)
        audit_object(request, specialist)
    form = SpecialistForm(
        request.POST or None,
        instance=specialist,
        municipalities=prefecture_municipalities(prefecture=prefecture),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        covers = list(data.pop("covers"))
        try:
            saved = services.specialist_save(
                prefecture=prefecture, specialist=specialist, covers=covers, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("保存しました。"))
            return redirect("region:specialist", pk=saved.pk)
    return render(
        request,
        "region/talent/specialist_form.html",
        {"form": form, "specialist": specialist},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_MANAGE, personal_data=True, tenant=Tenant.PREFECTURE)
def specialist_create(request: HttpRequest) -> HttpResponse:
    return _specialist_form(request, None)


@staff_required(REGION_MANAGE, personal_data=True, tenant=Tenant.PREFECTURE)
def specialist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _specialist_form(request, pk)


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def specialist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    specialist = selectors.specialist_get(prefecture=prefecture_of(request), pk=pk)
    return render(
        request,
        "region/talent/specialist_detail.html",
        {
            "specialist": specialist,
            "assignments": selectors.specialist_assignments(specialist=specialist),
            "labels": selectors.labels(),
            "can_manage": staff_user(request).has_perm(REGION_MANAGE),
        },
    )


@staff_required(REGION_MANAGE, personal_data=True, tenant=Tenant.PREFECTURE)
def specialist_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The specialist's personal contact details (the DX team only; every view is recorded)."""
    specialist, contact = selectors.specialist_contact(prefecture=prefecture_of(request), pk=pk)
    audit_object(request, specialist, action=AuditAction.VIEW)
    return render(
        request,
        "region/talent/specialist_contact.html",
        {"specialist": specialist, "contact": contact},
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
def need_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert user.municipality is not None  # the guard lets only municipality staff in
        try:
            need = services.need_create(
                municipality=user.municipality, actor=user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("支援の依頼を登録しました。県のDX推進チームに届きます。"))
            return redirect("region:need", pk=need.pk)
    return render(
        request,
        "region/talent/need_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def need_detail(
    request: HttpRequest,
    pk: int,
    assign_form: AssignForm | None = None,
    visit_form: VisitForm | None = None,
) -> HttpResponse:
    user = staff_user(request)
    scope = Scope.of_staff(user)
    need = selectors.need_get(scope=scope, pk=pk)
    assignments = selectors.need_assignments(need=need)
    active = [a for a in assignments if a.status == AssignmentStatus.ACTIVE]
    can_manage = scope.is_prefecture and user.has_perm(REGION_MANAGE)
    matches = selectors.matches(need=need) if scope.is_prefecture else []
    assigned = {a.specialist_id for a in active}
    return render(
        request,
        "region/talent/need_detail.html",
        {
            "need": need,
            "assignments": assignments,
            "matches": matches[:10],
            "assigned": assigned,
            "labels": selectors.labels(),
            "is_prefecture": scope.is_prefecture,
            "can_manage": can_manage,
            "today": timezone.localdate(),
            "assign_form": assign_form,
            "visit_form": visit_form
            or (
                VisitForm(assignments=active, initial={"visited_on": timezone.localdate()})
                if active
                else None
            ),
        },
        status=400 if assign_form or visit_form else 200,
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def need_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    need = selectors.need_get(scope=Scope.of_staff(user), pk=pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        found = next(
            (
                m
                for m in selectors.matches(need=need)
                if m.candidate.id == form.cleaned_data["specialist"]
            ),
            None,
        )
        if found is not None:
            specialist = selectors.specialist_get(
                prefecture=prefecture_of(request), pk=found.candidate.id
            )
            try:
                services.assignment_create(
                    need=need,
                    match=found,
                    specialist=specialist,
                    starts_on=form.cleaned_data["starts_on"],
                    actor=user,
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(
                    request, _("%(name)sさんを派遣しました。") % {"name": specialist.name}
                )
            return redirect("region:need", pk=need.pk)
        form.add_error(None, _("この人材は選べません。"))
    return need_detail.__wrapped__(request, pk, assign_form=form)  # type: ignore[attr-defined]


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    need = selectors.need_get(scope=Scope.of_staff(user), pk=pk)
    active = [
        a for a in selectors.need_assignments(need=need) if a.status == AssignmentStatus.ACTIVE
    ]
    form = VisitForm(request.POST, assignments=active)
    if form.is_valid():
        data = dict(form.cleaned_data)
        assignment = selectors.assignment_get(need=need, pk=data.pop("assignment"))
        try:
            services.visit_record(assignment=assignment, actor=user, **data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("訪問の記録を追加しました。"))
            return redirect("region:need", pk=need.pk)
    return need_detail.__wrapped__(request, pk, visit_form=form)  # type: ignore[attr-defined]


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    need = selectors.need_get(scope=Scope.of_staff(user), pk=pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("終了日を確かめてください。"))
        return redirect("region:need", pk=need.pk)
    assignment = selectors.assignment_get(need=need, pk=form.cleaned_data["assignment"])
    try:
        services.assignment_end(
            assignment=assignment, ends_on=form.cleaned_data["ends_on"], actor=user
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)sさんの派遣を終了しました。") % {"name": assignment.specialist.name}
        )
    return redirect("region:need", pk=need.pk)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    need = selectors.need_get(scope=Scope.of_staff(user), pk=pk)
    try:
        services.need_close(need=need, actor=user, today=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("依頼を終了しました。"))
    return redirect("region:need", pk=need.pk)
