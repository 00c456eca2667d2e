"""Pages of the DX survey (mounted under /staff/region/surveys/).

The prefecture defines and opens a survey and reads the results; each municipality answers its
own response, with evidence; both read a response (a municipality only its own).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import Tenant, staff_required
from madoguchi.accounts.permissions import REGION_MANAGE, REGION_TAKE_PART, REGION_VIEW
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality

from ..models import SurveyStatus
from ..pages import csv_response, prefecture_of
from . import selectors, services
from .forms import EvidenceForm, QuestionEditForm, QuestionForm, SurveyForm


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def survey_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    scope = Scope.of_staff(user)
    form = None
    if scope.is_prefecture and user.has_perm(REGION_MANAGE):
        form = SurveyForm(initial={"fiscal_year": timezone.localdate().year})
    surveys = list(selectors.survey_list(scope=scope))
    own = {}
    if user.municipality is not None:
        own = {
            s.pk: selectors.response_of(survey=s, municipality=user.municipality) for s in surveys
        }
    return render(
        request,
        "region/survey/list.html",
        {"surveys": surveys, "form": form, "is_prefecture": scope.is_prefecture, "own": own},
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def survey_create(request: HttpRequest) -> HttpResponse:
    prefecture = prefecture_of(request)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            survey = services.survey_create(prefecture=prefecture, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("調査を作りました。設問を確かめてから回答の受付を始めてください。")
            )
            return redirect("region:survey", pk=survey.pk)
    surveys = list(selectors.survey_list(scope=Scope.of_prefecture(prefecture)))
    return render(
        request,
        "region/survey/list.html",
        {"surveys": surveys, "form": form, "is_prefecture": True, "own": {}},
        status=400,
    )


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(prefecture=prefecture_of(request), pk=pk)
    statuses = selectors.response_statuses(survey=survey)
    return render(
        request,
        "region/survey/detail.html",
        {
            "survey": survey,
            "sections": selectors.sections(selectors.questions(survey=survey)),
            "statuses": statuses,
            "submitted": sum(1 for _m, r in statuses if r and r.submitted_at),
            "can_manage": staff_user(request).has_perm(REGION_MANAGE),
            "can_edit": survey.status == SurveyStatus.DRAFT and not services.answered(survey),
            "status_choices": SurveyStatus.choices,
        },
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(prefecture=prefecture_of(request), pk=pk)
    try:
        services.survey_set_status(survey=survey, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("状態を「%(status)s」にしました。") % {"status": survey.get_status_display()}
        )
    return redirect("region:survey", pk=survey.pk)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(prefecture=prefecture_of(request), pk=pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(survey=survey, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("設問を追加しました。"))
            return redirect("region:survey", pk=survey.pk)
    return render(
        request,
        "region/survey/question_form.html",
        {"survey": survey, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    survey = selectors.survey_get(prefecture=prefecture_of(request), pk=pk)
    question = selectors.question_get(survey=survey, pk=question_id)
    form = QuestionEditForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_edit(question=question, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("設問を変更しました。"))
            return redirect("region:survey", pk=survey.pk)
    return render(
        request,
        "region/survey/question_form.html",
        {"survey": survey, "form": form, "question": question},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    survey = selectors.survey_get(prefecture=prefecture_of(request), pk=pk)
    question = selectors.question_get(survey=survey, pk=question_id)
    try:
        services.question_move(question=question, up=request.POST.get("direction") != "down")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('region:survey', kwargs={'pk': survey.pk})}#q{question.pk}")


def _own_municipality(request: HttpRequest) -> Municipality:
    municipality = staff_user(request).municipality
    assert municipality is not None  # the guard lets only municipality staff in
    return municipality


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The municipality's own answers: pre-filled with Madoguchi's figures, saved or submitted."""
    municipality = _own_municipality(request)
    survey = selectors.survey_for_municipality(municipality=municipality, pk=pk)
    items = selectors.questions(survey=survey)
    response = selectors.response_of(survey=survey, municipality=municipality)
    measured = selectors.measured_values(
        survey=survey, municipality=municipality, items=items, today=timezone.localdate()
    )
    stored = {a.question_id: a.value for a in response.answers.all()} if response else {}
    values = {q.pk: stored.get(q.pk, measured.get(q.pk, "")) for q in items}
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        raw = {q.pk: request.POST.get(f"q{q.pk}", "")[:2000] for q in items}
        response = response or services.response_for(survey=survey, municipality=municipality)
        result = services.response_save(
            response=response,
            questions=items,
            raw=raw,
            measured=measured,
            actor=staff_user(request),
            submit=request.POST.get("action") == "submit",
        )
        if result.ok:
            messages.success(
                request,
                _("提出しました。") if result.submitted else _("一時保存しました。"),
            )
            return redirect("region:survey_answer", pk=survey.pk)
        values, errors, status = raw, result.errors, 400
    return render(
        request,
        "region/survey/answer.html",
        {
            "survey": survey,
            "municipality": municipality,
            "sections": selectors.sections(items),
            "values": values,
            "measured": measured,
            "window": selectors.measured_window(survey, timezone.localdate()),
            "errors": errors,
            "response": response,
            "evidence_form": EvidenceForm(questions=items),
            "is_open": survey.status == SurveyStatus.OPEN,
        },
        status=status,
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = _own_municipality(request)
    survey = selectors.survey_for_municipality(municipality=municipality, pk=pk)
    items = selectors.questions(survey=survey)
    form = EvidenceForm(request.POST, request.FILES, questions=items)
    if form.is_valid():
        question = next((q for q in items if q.pk == form.cleaned_data["question"]), None)
        try:
            services.evidence_add(
                response=services.response_for(survey=survey, municipality=municipality),
                question=question,
                uploaded=form.cleaned_data["file"],
                actor=staff_user(request),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("根拠資料を登録しました。"))
    else:
        messages.error(request, _("ファイルを選んでください。"))
    return redirect("region:survey_answer", pk=survey.pk)


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def response_detail(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    scope = Scope.of_staff(staff_user(request))
    survey, response = selectors.response_get(scope=scope, survey_pk=pk, code=code)
    answers = {a.question_id: a for a in response.answers.all()}
    rows = [
        (
            label,
            [
                (
                    q,
                    selectors.answer_display(q, answers[q.pk].value) if q.pk in answers else "",
                    answers.get(q.pk),
                )
                for q in items
            ],
        )
        for label, items in selectors.sections(selectors.questions(survey=survey))
    ]
    return render(
        request,
        "region/survey/response.html",
        {
            "survey": survey,
            "response": response,
            "rows": rows,
            "is_prefecture": scope.is_prefecture,
        },
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def evidence_download(request: HttpRequest, pk: int, evidence_id: UUID) -> FileResponse:
    scope = Scope.of_staff(staff_user(request))
    evidence = selectors.evidence_get(scope=scope, survey_pk=pk, evidence_id=evidence_id)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(prefecture=prefecture_of(request), pk=pk)
    return render(
        request, "region/survey/results.html", {"results": selectors.results(survey=survey)}
    )


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(prefecture=prefecture_of(request), pk=pk)
    return csv_response(
        selectors.results_csv_rows(survey=survey), f"dx-survey-{survey.fiscal_year}.csv"
    )
