"""Pages of the liaison desk (mounted under /staff/region/liaison/).

A municipality's staff send consultations and 出前講座 requests and follow their thread; the
prefecture's DX team triages, answers, moves the status and publishes answers to the knowledge
base; notices go from the prefecture to its municipalities' staff. A case's page shows staff
names and free text: every view of it is audited.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import Tenant, audit_object, staff_required
from madoguchi.accounts.permissions import REGION_MANAGE, REGION_TAKE_PART
from madoguchi.core.models import AuditAction
from madoguchi.tenancy.access import Scope

from ..models import Consultation, ConsultationKind, ConsultationStatus, Topic
from ..pages import prefecture_of
from ..selectors import prefecture_municipalities
from . import selectors, services
from .forms import (
    ConsultationForm,
    FileForm,
    KnowledgeSearchForm,
    NoticeForm,
    PublishForm,
    ReplyForm,
    StatusForm,
    TriageForm,
)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    scope = Scope.of_staff(user)
    status = request.GET.get("status", "")
    status = status if status in ConsultationStatus.values else ""
    consultations = list(selectors.consultation_list(scope=scope, status=status))
    return render(
        request,
        "region/liaison/home.html",
        {
            "consultations": [
                (
                    c,
                    selectors.hours_between(c.created_at, c.first_response_at),
                    selectors.hours_between(c.created_at, c.resolved_at),
                )
                for c in consultations
            ],
            "figures": selectors.response_figures(list(selectors.consultation_list(scope=scope))),
            "status": status,
            "statuses": ConsultationStatus.choices,
            "is_prefecture": scope.is_prefecture,
        },
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.MUNICIPALITY)
def consultation_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = ConsultationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        assert user.municipality is not None  # the guard lets only municipality staff in
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        upload = form.cleaned_data.get("file")
        try:
            consultation = services.consultation_create(
                municipality=user.municipality,
                actor=user,
                preferred_dates=form.preferred_dates(),
                files=[upload] if upload else [],
                **data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("送信しました。県のDX推進チームから回答が届きます。"))
            return redirect("region:consultation", consultation_id=consultation.pk)
    return render(
        request,
        "region/liaison/consultation_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _detail(request: HttpRequest, consultation: Consultation, status: int = 200) -> HttpResponse:
    user = staff_user(request)
    is_prefecture = user.prefecture_id is not None
    can_manage = is_prefecture and user.has_perm(REGION_MANAGE)
    context = {
        "c": consultation,
        "thread": selectors.consultation_thread(consultation=consultation),
        "files": list(consultation.files.all()),
        "is_prefecture": is_prefecture,
        "can_manage": can_manage,
        "can_reply": consultation.status not in services.RESOLVED
        and (can_manage or not is_prefecture),
        "reply_form": ReplyForm(),
        "file_form": FileForm(),
        "first_hours": selectors.hours_between(
            consultation.created_at, consultation.first_response_at
        ),
        "resolved_hours": selectors.hours_between(
            consultation.created_at, consultation.resolved_at
        ),
    }
    if can_manage:
        prefecture = prefecture_of(request)
        context["triage_form"] = TriageForm(
            initial={
                "topic": consultation.topic,
                "priority": consultation.priority,
                "liaison": consultation.liaison_id,
                "expert": consultation.expert_id,
            },
            liaisons=selectors.liaisons(prefecture=prefecture),
            experts=selectors.experts(prefecture=prefecture),
        )
        nexts = services.next_statuses(consultation)
        context["status_form"] = (
            StatusForm(statuses=[(s, ConsultationStatus(s).label) for s in nexts])
            if nexts
            else None
        )
        context["publishable"] = (
            consultation.kind == ConsultationKind.CONSULTATION
            and consultation.status in services.PUBLISHABLE
            and consultation.may_publish
        )
    audit_object(request, consultation)
    return render(request, "region/liaison/consultation_detail.html", context, status=status)


def _case(request: HttpRequest, consultation_id: int) -> Consultation:
    return selectors.consultation_get(scope=Scope.of_staff(staff_user(request)), pk=consultation_id)


@staff_required(REGION_TAKE_PART, personal_data=True, tenant=Tenant.ANY)
def consultation_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _detail(request, _case(request, consultation_id))


@require_POST
@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def consultation_reply(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = staff_user(request)
    consultation = _case(request, consultation_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("本文を入力してください（4,000字まで）。"))
        return redirect("region:consultation", consultation_id=consultation_id)
    try:
        services.consultation_reply(
            consultation=consultation, actor=user, body=form.cleaned_data["body"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("送信しました。"))
    return redirect("region:consultation", consultation_id=consultation_id)


@require_POST
@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def file_upload(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = staff_user(request)
    consultation = _case(request, consultation_id)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("ファイルを選んでください。"))
        return redirect("region:consultation", consultation_id=consultation_id)
    try:
        services.file_add(consultation=consultation, uploaded=form.cleaned_data["file"], actor=user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("ファイルを添付しました。"))
    return redirect("region:consultation", consultation_id=consultation_id)


@staff_required(REGION_TAKE_PART, personal_data=True, tenant=Tenant.ANY)
def file_download(request: HttpRequest, consultation_id: int, file_id: UUID) -> FileResponse:
    scope = Scope.of_staff(staff_user(request))
    stored = selectors.file_get(scope=scope, consultation_pk=consultation_id, file_id=file_id)
    audit_object(request, stored, action=AuditAction.DOWNLOAD)
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def consultation_triage(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _case(request, consultation_id)
    prefecture = prefecture_of(request)
    form = TriageForm(
        request.POST,
        liaisons=selectors.liaisons(prefecture=prefecture),
        experts=selectors.experts(prefecture=prefecture),
    )
    if not form.is_valid():
        messages.error(request, _("振り分けの内容を確かめてください。"))
        return redirect("region:consultation", consultation_id=consultation_id)
    try:
        services.consultation_triage(
            consultation=consultation, actor=staff_user(request), **form.cleaned_data
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("振り分けを保存しました。"))
    return redirect("region:consultation", consultation_id=consultation_id)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def consultation_status(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _case(request, consultation_id)
    form = StatusForm(request.POST, statuses=ConsultationStatus.choices)
    if not form.is_valid():
        messages.error(request, _("状態と日付を確かめてください。"))
        return redirect("region:consultation", consultation_id=consultation_id)
    try:
        services.consultation_set_status(
            consultation=consultation, actor=staff_user(request), **form.cleaned_data
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("状態を「%(status)s」にしました。") % {"status": consultation.get_status_display()},
        )
    return redirect("region:consultation", consultation_id=consultation_id)


@staff_required(REGION_MANAGE, personal_data=True, tenant=Tenant.PREFECTURE)
def knowledge_publish(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _case(request, consultation_id)
    audit_object(request, consultation)
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                services.knowledge_publish(
                    consultation=consultation, actor=staff_user(request), **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("相談事例として公開しました。"))
                return redirect("region:consultation", consultation_id=consultation_id)
    else:
        form = PublishForm(initial=services.knowledge_draft(consultation=consultation))
    return render(
        request,
        "region/liaison/publish.html",
        {"c": consultation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def knowledge(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    prefecture_id = user.prefecture_id or (user.municipality and user.municipality.prefecture_id)
    if not prefecture_id:
        raise PermissionDenied
    form = KnowledgeSearchForm(request.GET or None)
    query, topic = "", ""
    if form.is_valid():
        query, topic = form.cleaned_data["q"], form.cleaned_data["topic"]
    entries = (
        selectors.knowledge_search(prefecture_id=prefecture_id, query=query, topic=topic)
        if query
        else list(selectors.knowledge_list(prefecture_id=prefecture_id, topic=topic)[:50])
    )
    return render(
        request,
        "region/liaison/knowledge.html",
        {"form": form, "entries": entries, "query": query, "topics": dict(Topic.choices)},
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def notices(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if user.prefecture_id is not None:
        context = {
            "sent": selectors.notice_list_sent(prefecture=prefecture_of(request)),
            "can_manage": user.has_perm(REGION_MANAGE),
        }
    else:
        context = {"received": selectors.notices_for(staff=user)}
    return render(request, "region/liaison/notices.html", context)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def notice_create(request: HttpRequest) -> HttpResponse:
    prefecture = prefecture_of(request)
    form = NoticeForm(
        request.POST or None, municipalities=prefecture_municipalities(prefecture=prefecture)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            notice = services.notice_send(
                prefecture=prefecture,
                actor=staff_user(request),
                title=data["title"],
                body=data["body"],
                to_all=data["to_all"],
                targets=list(data["targets"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("お知らせを送りました。"))
            return redirect("region:notice", pk=notice.pk)
    return render(
        request,
        "region/liaison/notice_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_TAKE_PART, personal_data=False, tenant=Tenant.ANY)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    notice = selectors.notice_get(staff=user, pk=pk)
    reach = None
    if user.prefecture_id is not None:
        reach = selectors.notice_reach(notice=notice)
    else:
        services.notice_mark_read(notice=notice, staff=user)
    return render(request, "region/liaison/notice_detail.html", {"notice": notice, "reach": reach})
