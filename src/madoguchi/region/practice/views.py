"""Pages of the good-practice library (mounted under /staff/region/practice/).

A municipality writes its own case (effects pre-filled from Madoguchi's measurements) and sends
it to the prefecture's DX team, which publishes it or returns it; municipalities search the
published cases, take one up and report their result. No personal data: cases, figures and
municipality names only.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import Tenant, staff_required
from madoguchi.accounts.permissions import REGION_MANAGE, REGION_TAKE_PART
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality

from ..models import Adoption, PracticeCase, PracticeStatus
from . import selectors, services
from .forms import CaseForm, EffectForm, ResultForm, ReviewForm, SearchForm
from .measured import measured_figures, window


def _reader(request: HttpRequest) -> selectors.Reader:
    user = staff_user(request)
    return selectors.Reader.of(Scope.of_staff(user), dx_team=user.has_perm(REGION_MANAGE))


def _municipality(request: HttpRequest) -> Municipality:
    municipality = staff_user(request).municipality
    assert municipality is not None  # the guard lets only municipality staff in
    return municipality


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def library(request: HttpRequest) -> HttpResponse:
    reader = _reader(request)
    form = SearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    municipality = staff_user(request).municipality
    return render(
        request,
        "region/practice/library.html",
        {
            "form": form,
            "searched": any(filters.values()),
            "cases": selectors.search(
                reader=reader,
                query=filters.get("q", ""),
                theme=filters.get("theme", ""),
                population=filters.get("population", ""),
            ),
            "own": selectors.own_cases(municipality=municipality) if municipality else None,
            "adopted": selectors.adopted(municipality=municipality) if municipality else None,
            "in_review": selectors.in_review(prefecture_id=reader.prefecture_id)
            if reader.drafts and reader.prefecture_id
            else None,
            "themes": selectors.theme_labels(),
        },
    )


def _case_form(request: HttpRequest, case: PracticeCase | None) -> HttpResponse:
    municipality = _municipality(request)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.case_save(
                municipality=municipality,
                actor=staff_user(request),
                case=case,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("保存しました。"))
            return redirect("region:practice_case", pk=saved.pk)
    return render(
        request,
        "region/practice/case_form.html",
        {"form": form, "case": case},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
def case_create(request: HttpRequest) -> HttpResponse:
    return _case_form(request, None)


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.own_case(municipality=_municipality(request), pk=pk)
    if case.status != PracticeStatus.DRAFT:
        messages.error(request, _("変えられるのは下書きの事例だけです。"))
        return redirect("region:practice_case", pk=case.pk)
    return _case_form(request, case)


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def case_detail(
    request: HttpRequest,
    pk: int,
    effect_form: EffectForm | None = None,
    review_form: ReviewForm | None = None,
    result_form: ResultForm | None = None,
) -> HttpResponse:
    reader = _reader(request)
    case = selectors.case_get(reader=reader, pk=pk)
    municipality = staff_user(request).municipality
    own = municipality is not None and case.municipality_id == municipality.pk
    draft = own and case.status == PracticeStatus.DRAFT
    today = timezone.localdate()
    adoption = (
        selectors.adoption_of(case=case, municipality=municipality)
        if municipality and not own
        else None
    )
    return render(
        request,
        "region/practice/case.html",
        {
            "case": case,
            "themes": selectors.theme_labels(),
            "population_class": selectors.population_class(case.municipality.population),
            "own": own,
            "draft": draft,
            "measured": measured_figures(municipality=case.municipality, today=today)
            if draft
            else [],
            "window": window(today),
            "effect_form": effect_form or (EffectForm() if draft else None),
            "can_review": reader.drafts and case.status == PracticeStatus.IN_REVIEW,
            "review_form": review_form or ReviewForm(),
            "can_adopt": municipality is not None
            and not own
            and adoption is None
            and case.status == PracticeStatus.PUBLISHED,
            "adoption": adoption,
            "result_form": result_form or ResultForm(initial=_reported(adoption, today)),
            "adoptions": list(case.adoptions.all()),
        },
        status=400 if effect_form or review_form or result_form else 200,
    )


def _reported(adoption: Adoption | None, today: date) -> dict[str, object]:
    """The result form starts from the result already reported (to correct it), else today."""
    if adoption is None or adoption.result_on is None:
        return {"on": today}
    return {
        "label": adoption.result_label,
        "value": adoption.result_value,
        "unit": adoption.result_unit,
        "period": adoption.result_period,
        "on": adoption.result_on,
        "note": adoption.result_note,
    }


def _detail_again(request: HttpRequest, pk: int, **forms: object) -> HttpResponse:
    return case_detail.__wrapped__(request, pk, **forms)  # type: ignore[attr-defined, no-any-return]


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
@require_POST
def effects(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a measured figure (`metric`), a reported one (the form), or remove one (`remove`)."""
    case = selectors.own_case(municipality=_municipality(request), pk=pk)
    form = None
    try:
        if "metric" in request.POST:
            services.effect_add_measured(
                case=case, metric=request.POST["metric"], today=timezone.localdate()
            )
            messages.success(request, _("Madoguchi の計測値を効果に入れました。"))
        elif "remove" in request.POST:
            try:
                effect_id = int(request.POST["remove"])
            except ValueError:
                raise ValidationError(_("この効果は見つかりません。")) from None
            services.effect_remove(case=case, effect_id=effect_id)
            messages.success(request, _("効果を取り除きました。"))
        else:
            form = EffectForm(request.POST)
            if not form.is_valid():
                return _detail_again(request, pk, effect_form=form)
            services.effect_add(case=case, **form.cleaned_data)
            messages.success(request, _("効果を追加しました。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("region:practice_case", pk=case.pk)


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
@require_POST
def case_state(request: HttpRequest, pk: int) -> HttpResponse:
    """The municipality sends its draft for review, or takes its case back to a draft."""
    case = selectors.own_case(municipality=_municipality(request), pk=pk)
    try:
        if request.POST.get("action") == "withdraw":
            services.case_withdraw(case=case)
            messages.success(request, _("下書きに戻しました。ほかの自治体からは見えません。"))
        else:
            services.case_submit(case=case)
            messages.success(request, _("県のDX推進チームに確認を依頼しました。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("region:practice_case", pk=case.pk)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def case_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    assert user.prefecture_id is not None  # the guard lets only prefecture users in
    case = selectors.review_case(prefecture_id=user.prefecture_id, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        publish = form.cleaned_data["decision"] == "publish"
        try:
            services.case_review(
                case=case,
                actor=user,
                publish=publish,
                is_public=form.cleaned_data["is_public"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("公開しました。") if publish else _("差し戻しました。"),
            )
            return redirect("region:practice_case", pk=case.pk)
    return _detail_again(request, pk, review_form=form)


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(reader=_reader(request), pk=pk)
    try:
        services.adoption_start(
            case=case,
            municipality=_municipality(request),
            actor=staff_user(request),
            today=timezone.localdate(),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("この事例を参考に取り組むことを登録しました。結果が出たら報告してください。")
        )
    return redirect("region:practice_case", pk=case.pk)


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
@require_POST
def result(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(reader=_reader(request), pk=pk)
    adoption = selectors.adoption_of(case=case, municipality=_municipality(request))
    if adoption is None:
        messages.error(request, _("先に「この事例を参考に取り組む」を押してください。"))
        return redirect("region:practice_case", pk=case.pk)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            services.adoption_report(adoption=adoption, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("結果を報告しました。"))
            return redirect("region:practice_case", pk=case.pk)
    return _detail_again(request, pk, result_form=form)
