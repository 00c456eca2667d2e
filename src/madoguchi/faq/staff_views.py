"""Staff pages: edit the FAQ, import/export CSV, adopt shared sets, read the analytics.

Mounted by the project at /staff/faq/. Every page works on the signed-in user's municipality;
every id from a URL goes through access_tenant_object (404 for another municipality's row).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.guard import staff_required
from madoguchi.core import csv as core_csv
from madoguchi.jobs.selectors import job_latest, job_progress
from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality

from . import csv_io, selectors, services
from .forms import CsvImportForm, FaqEntryForm
from .models import FaqEntry, FaqSet, SharedFaqEntry, Status

PAGE_SIZE = 50
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


def _municipality(request: HttpRequest) -> Municipality:
    municipality = request.user.municipality  # type: ignore[union-attr]
    assert isinstance(municipality, Municipality)
    return municipality


@staff_required("faq.view_faqentry", personal_data=False)
def entry_list(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    text = request.GET.get("text", "")[:100]
    page = Paginator(
        selectors.entry_list(
            municipality=municipality,
            status=status if status in Status.values else "",
            category=category,
            text=text,
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    index_job = job_latest(municipality=municipality, kind=services.INDEX_JOB_KIND)
    return render(
        request,
        "faq/staff/list.html",
        {
            "page": page,
            "index_progress": job_progress(job=index_job) if index_job else None,
            "statuses": Status.choices,
            "categories": selectors.entry_categories(municipality=municipality),
            "filters": {"status": status, "category": category, "text": text},
        },
    )


def _save_entry(request: HttpRequest, entry: FaqEntry | None) -> HttpResponse:
    municipality = _municipality(request)
    form = FaqEntryForm(request.POST or None, instance=entry, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "related_procedures"}
        procedures = form.cleaned_data["related_procedures"]
        try:
            if entry is None:
                entry = services.faq_entry_create(
                    municipality=municipality, related_procedures=procedures, **data
                )
            else:
                entry = services.faq_entry_update(
                    entry=entry, related_procedures=procedures, **data
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("保存しました。"))
            return redirect("faq_staff:edit", pk=entry.pk)
    near = (
        selectors.unanswered_near(municipality=municipality, entry=entry)
        if entry is not None and entry.pk
        else []
    )
    return render(
        request, "faq/staff/edit.html", {"form": form, "entry": entry, "unanswered_near": near}
    )


@staff_required("faq.add_faqentry", personal_data=False)
def entry_create(request: HttpRequest) -> HttpResponse:
    return _save_entry(request, None)


@staff_required("faq.change_faqentry", personal_data=False)
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_tenant_object(FaqEntry, municipality=_municipality(request), pk=pk)
    return _save_entry(request, entry)


@require_POST
@staff_required("faq.delete_faqentry", personal_data=False)
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_tenant_object(FaqEntry, municipality=_municipality(request), pk=pk)
    services.faq_entry_delete(entry=entry)
    messages.success(request, _("削除しました。"))
    return redirect("faq_staff:list")


@staff_required("faq.add_faqentry", "faq.change_faqentry", personal_data=False)
def csv_import(request: HttpRequest) -> HttpResponse:
    form = CsvImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = csv_io.import_csv(
            municipality=_municipality(request),
            data=upload.read(csv_io.MAX_BYTES + 1),
            encoding=form.cleaned_data["encoding"],
            dry_run="dry_run" in request.POST,
        )
        if result.ok and "dry_run" not in request.POST:
            services.faq_index_build_start(municipality=_municipality(request), actor=request.user)
            messages.success(
                request,
                _("取り込みました（追加 %(created)d 件、更新 %(updated)d 件）。")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("faq_staff:list")
    return render(
        request,
        "faq/staff/import.html",
        {"form": form, "result": result, "columns": csv_io.COLUMNS},
        status=400 if result is not None and not result.ok else 200,
    )


@staff_required("faq.view_faqentry", personal_data=False)
def csv_export(request: HttpRequest) -> HttpResponse:
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    entries = selectors.entry_list(municipality=_municipality(request)).prefetch_related(
        "related_procedures"
    )
    charset = "shift_jis" if encoding == "shift_jis" else "utf-8"
    try:
        data = csv_io.export_csv(entries, encoding=encoding)
    except core_csv.ShiftJisError as exc:
        messages.error(
            request,
            _(
                "Shift_JIS で表せない文字 %(chars)s があるため、書き出しませんでした。"
                "UTF-8 で書き出すか、該当の FAQ を直してください。"
            )
            % {"chars": exc.characters()},
        )
        return redirect("faq_staff:list")
    response = HttpResponse(data, content_type=f"text/csv; charset={charset}")
    response["Content-Disposition"] = f'attachment; filename="faq-{encoding}.csv"'
    return response


def _period(request: HttpRequest) -> tuple[str, dt.datetime, dt.datetime]:
    key = request.GET.get("days", "30")
    key = key if key in PERIODS else "30"
    until = timezone.now()
    return key, until - dt.timedelta(days=PERIODS[key]), until


@staff_required("faq.view_faqquerylog", personal_data=True, list_view=True)
def analytics(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    key, since, until = _period(request)
    return render(
        request,
        "faq/staff/analytics.html",
        {
            "days": key,
            "periods": list(PERIODS),
            "summary": selectors.period_summary(
                municipality=municipality, since=since, until=until
            ),
            "most_asked": selectors.most_asked(municipality=municipality, since=since, until=until),
            "unanswered": selectors.unanswered(municipality=municipality, since=since, until=until),
            "unhelpful": selectors.unhelpful(municipality=municipality, since=since, until=until),
        },
    )


@require_POST
@staff_required("faq.view_faqquerylog", "faq.add_faqentry", personal_data=False)
def draft_from_query(request: HttpRequest) -> HttpResponse:
    try:
        draft = services.faq_draft_from_query(
            municipality=_municipality(request),
            query_key_value=request.POST.get("query_key", "")[:300],
        )
    except ValidationError as exc:
        raise Http404 from exc
    messages.success(request, _("下書きを作りました。回答を書いて公開してください。"))
    return redirect("faq_staff:edit", pk=draft.pk)


@staff_required("faq.view_faqentry", personal_data=False)
def shared_sets(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    return render(
        request,
        "faq/staff/shared_sets.html",
        {
            "sets": selectors.available_sets(municipality=municipality),
            "adopted": selectors.adopted_set_ids(municipality=municipality),
        },
    )


def _available_set(municipality: Municipality, set_id: int) -> FaqSet:
    faq_set = selectors.available_sets(municipality=municipality).filter(pk=set_id).first()
    if faq_set is None:
        raise Http404
    return faq_set


@require_POST
@staff_required("faq.add_faqsetadoption", "faq.delete_faqsetadoption", personal_data=False)
def shared_set_toggle(request: HttpRequest, set_id: int) -> HttpResponse:
    municipality = _municipality(request)
    faq_set = _available_set(municipality, set_id)
    if request.POST.get("action") == "adopt":
        services.faq_set_adopt(municipality=municipality, faq_set=faq_set)
        messages.success(request, _("共通FAQセットを採用しました。"))
    else:
        services.faq_set_withdraw(municipality=municipality, faq_set=faq_set)
        messages.success(request, _("共通FAQセットの採用をやめました。"))
    return redirect("faq_staff:shared_sets")


@staff_required("faq.view_faqentry", personal_data=False)
def shared_set_detail(request: HttpRequest, set_id: int) -> HttpResponse:
    municipality = _municipality(request)
    faq_set = _available_set(municipality, set_id)
    return render(
        request,
        "faq/staff/shared_set.html",
        {
            "faq_set": faq_set,
            "rows": selectors.shared_entries_of_set(municipality=municipality, faq_set=faq_set),
        },
    )


@require_POST
@staff_required("faq.add_faqentry", "faq.change_faqentry", personal_data=False)
def shared_entry_action(request: HttpRequest, set_id: int, entry_id: int) -> HttpResponse:
    municipality = _municipality(request)
    faq_set = _available_set(municipality, set_id)
    shared = SharedFaqEntry.objects.filter(faq_set=faq_set, pk=entry_id).first()
    if shared is None:
        raise Http404
    if request.POST.get("action") == "hide":
        services.shared_entry_hide(municipality=municipality, shared=shared)
        messages.success(request, _("この共通FAQを表示しないようにしました。"))
        return redirect("faq_staff:shared_set", set_id=faq_set.pk)
    entry = services.shared_entry_override(municipality=municipality, shared=shared)
    messages.success(
        request, _("自治体用の下書きを作りました。公開すると共通FAQの代わりに表示されます。")
    )
    return redirect("faq_staff:edit", pk=entry.pk)


@require_POST
@staff_required("faq.change_faqentry", personal_data=False)
def index_rebuild(request: HttpRequest) -> HttpResponse:
    services.faq_index_build_start(municipality=_municipality(request), actor=request.user)
    messages.success(request, _("検索用の索引の作成を始めました。"))
    return redirect("faq_staff:list")
