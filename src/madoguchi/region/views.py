"""The prefecture console (mounted at /staff/region/): joint procurement and cost sharing.

Prefecture views act on the signed-in user's prefecture; ids from a URL are looked up inside it
(another prefecture's row is 404). Statements are open to a municipality's managers for their
own municipality, and to the prefecture for its municipalities (tenancy.access.Scope).
"""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import Tenant, staff_required
from madoguchi.accounts.permissions import REGION_MANAGE, REGION_STATEMENT, REGION_VIEW
from madoguchi.core import csv as core_csv
from madoguchi.counter.print import MissingGlyphs
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Prefecture

from . import cost_sharing, csv_io, selectors, services
from .forms import AgreementForm, JointSystemForm, MemberRow, ParticipantRow
from .models import Domain, SystemType
from .pages import csv_response, prefecture_of
from .statement_pdf import render_statement_pdf
from .usage import measured_usage

PAGE_SIZE = 50
PARTS = (
    ("equal", "均等割"),
    ("population", "人口割"),
    ("usage", "利用割"),
    ("fiscal_need", "財政需要割"),
)


def _filters_context(filters: selectors.SystemFilters) -> dict[str, object]:
    return {
        "filters": filters,
        "domains": Domain.choices,
        "types": SystemType.choices,
    }


# --- Joint procurement ------------------------------------------------------------------------


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def system_list(request: HttpRequest) -> HttpResponse:
    prefecture = prefecture_of(request)
    filters = selectors.SystemFilters.from_query(request.GET.dict())
    systems = selectors.system_list(prefecture=prefecture, filters=filters)
    page = Paginator(systems, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "region/system_list.html",
        {
            "page": page,
            "dashboard": selectors.dashboard(systems),
            "query_prefix": selectors.query_prefix(request.GET),
            "prefecture": prefecture,
            "can_manage": staff_user(request).has_perm(REGION_MANAGE),
            "query": request.GET.urlencode(),
            **_filters_context(filters),
        },
    )


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prefecture = prefecture_of(request)
    system = selectors.system_get(prefecture=prefecture, pk=pk)
    usage = None
    if system.is_madoguchi:
        last = timezone.localdate()
        first = date(last.year - 1, last.month, 1)
        usage = {
            "first": first,
            "last": last,
            "by_municipality": measured_usage(
                scope=Scope.of_prefecture(prefecture), first=first, last=last
            ),
        }
    return render(
        request,
        "region/system_detail.html",
        {
            "system": system,
            "usage": usage,
            "can_manage": staff_user(request).has_perm(REGION_MANAGE),
        },
    )


def _participant_rows(
    request: HttpRequest, prefecture: Prefecture, system: object
) -> list[ParticipantRow]:
    current = {}
    if system is not None:
        current = {p.municipality_id: p for p in system.participants.all()}  # type: ignore[attr-defined]
    data = request.POST if request.method == "POST" else None
    return [
        ParticipantRow(m, data, current.get(m.pk))
        for m in selectors.prefecture_municipalities(prefecture=prefecture)
    ]


def _system_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    prefecture = prefecture_of(request)
    system = selectors.system_get(prefecture=prefecture, pk=pk) if pk is not None else None
    form = JointSystemForm(request.POST or None, instance=system)
    rows = _participant_rows(request, prefecture, system)
    if request.method == "POST":
        cleaned = [(row, row.clean()) for row in rows if row.included]
        if form.is_valid() and all(values is not None for _, values in cleaned):
            participants = [
                services.ParticipantInput(row.municipality, values[0], values[1])
                for row, values in cleaned
                if values is not None
            ]
            try:
                saved = services.system_save(
                    prefecture=prefecture,
                    system=system,
                    participants=participants,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("保存しました。"))
                return redirect("region:system", pk=saved.pk)
    return render(
        request,
        "region/system_form.html",
        {"form": form, "rows": rows, "system": system},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def system_create(request: HttpRequest) -> HttpResponse:
    return _system_form(request, None)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _system_form(request, pk)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def madoguchi_sync(request: HttpRequest) -> HttpResponse:
    system = services.madoguchi_system_sync(prefecture=prefecture_of(request))
    messages.success(request, _("Madoguchi の参加団体を更新しました。"))
    return redirect("region:system", pk=system.pk)


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def system_export(request: HttpRequest) -> HttpResponse:
    prefecture = prefecture_of(request)
    filters = selectors.SystemFilters.from_query(request.GET.dict())
    systems = selectors.system_list(prefecture=prefecture, filters=filters).prefetch_related(
        "participants__municipality"
    )
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    response = HttpResponse(
        csv_io.export_csv(systems, encoding=encoding),
        content_type=f"text/csv; charset={'shift_jis' if encoding == 'shift_jis' else 'utf-8'}",
    )
    response["Content-Disposition"] = 'attachment; filename="joint-procurement.csv"'
    return response


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def system_import(request: HttpRequest) -> HttpResponse:
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            result = csv_io.ImportResult(
                errors=[csv_io.RowError(0, "", _("CSVファイルを選んでください。"))]
            )
        elif upload.size is not None and upload.size > csv_io.MAX_BYTES:
            result = csv_io.ImportResult(
                errors=[csv_io.RowError(0, "", _("ファイルが大きすぎます（5MBまで）。"))]
            )
        else:
            encoding = request.POST.get("encoding", "auto")
            result = csv_io.import_csv(
                prefecture=prefecture_of(request),
                data=upload.read(),
                encoding=encoding if encoding in core_csv.SHIFT_JIS_NAMES else "auto",
            )
            if result.ok:
                messages.success(
                    request,
                    _("取り込みました（追加 %(created)d 件、更新 %(updated)d 件）。")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("region:systems")
    return render(
        request,
        "region/system_import.html",
        {"result": result, "columns": csv_io.COLUMNS},
        status=400 if result is not None and not result.ok else 200,
    )


# --- Cost sharing -------------------------------------------------------------------------------


@staff_required(REGION_STATEMENT, personal_data=False, tenant=Tenant.ANY)
def agreement_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    scope = Scope.of_staff(user)
    return render(
        request,
        "region/agreement_list.html",
        {
            "agreements": selectors.agreement_list(scope=scope),
            "is_prefecture": scope.is_prefecture,
            "own_code": user.municipality.code if user.municipality else "",
            "can_manage": user.has_perm(REGION_MANAGE) and scope.is_prefecture,
        },
    )


def _agreement_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    prefecture = prefecture_of(request)
    agreement = selectors.agreement_get(prefecture=prefecture, pk=pk) if pk else None
    form = AgreementForm(request.POST or None, instance=agreement, prefecture=prefecture)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agreement_save(
                prefecture=prefecture,
                actor=staff_user(request),
                agreement=agreement,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("保存しました。"))
            return redirect("region:agreement", pk=saved.pk)
    return render(
        request,
        "region/agreement_form.html",
        {"form": form, "agreement": agreement},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def agreement_create(request: HttpRequest) -> HttpResponse:
    return _agreement_form(request, None)


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_form(request, pk)


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prefecture = prefecture_of(request)
    agreement = selectors.agreement_get(prefecture=prefecture, pk=pk)
    members = selectors.agreement_members(agreement=agreement)
    shares = selectors.agreement_shares(agreement=agreement, members=members)
    municipalities = list(selectors.prefecture_municipalities(prefecture=prefecture))
    member_codes = {m.municipality.code for m in members}
    join_codes = set(request.GET.getlist("join")) - member_codes
    leave_codes = set(request.GET.getlist("leave")) & member_codes
    what_if = None
    if join_codes or leave_codes:
        what_if = selectors.what_if(
            agreement=agreement,
            members=members,
            join=[m for m in municipalities if m.code in join_codes],
            leave=leave_codes,
            usage=selectors.agreement_measured_usage(agreement=agreement),
        )
    return render(
        request,
        "region/agreement_detail.html",
        {
            "agreement": agreement,
            "members": members,
            "shares": shares,
            "parts": PARTS,
            "history": selectors.agreement_history(agreement=agreement)[:50],
            "outsiders": [m for m in municipalities if m.code not in member_codes],
            "join_codes": join_codes,
            "leave_codes": leave_codes,
            "what_if": what_if,
            "can_manage": staff_user(request).has_perm(REGION_MANAGE),
        },
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
def agreement_members(request: HttpRequest, pk: int) -> HttpResponse:
    prefecture = prefecture_of(request)
    agreement = selectors.agreement_get(prefecture=prefecture, pk=pk)
    current = {m.municipality_id: m for m in selectors.agreement_members(agreement=agreement)}
    data = request.POST if request.method == "POST" else None
    rows = [
        MemberRow(m, data, current.get(m.pk))
        for m in selectors.prefecture_municipalities(prefecture=prefecture)
    ]
    if request.method == "POST":
        cleaned = [(row, row.clean()) for row in rows if row.included]
        if all(values is not None for _, values in cleaned):
            inputs = [
                services.MemberInput(row.municipality, *values)
                for row, values in cleaned
                if values is not None
            ]
            try:
                lines = services.agreement_members_set(
                    agreement=agreement, members=inputs, actor=staff_user(request)
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(
                    request, _("保存しました。") if lines else _("変更はありませんでした。")
                )
                return redirect("region:agreement", pk=agreement.pk)
    return render(
        request,
        "region/agreement_members.html",
        {"agreement": agreement, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(REGION_MANAGE, personal_data=False, tenant=Tenant.PREFECTURE)
@require_POST
def agreement_usage(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(prefecture=prefecture_of(request), pk=pk)
    try:
        changed = services.agreement_usage_fill(agreement=agreement, actor=staff_user(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("利用量を更新しました（%(n)d 団体）。") % {"n": changed})
    return redirect("region:agreement", pk=agreement.pk)


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def agreement_file(request: HttpRequest, pk: int) -> HttpResponse:
    """AGREEMENT.json for `madoguchi region share` (the check outside the web)."""
    agreement = selectors.agreement_get(prefecture=prefecture_of(request), pk=pk)
    members = selectors.agreement_members(agreement=agreement)
    data = cost_sharing.agreement_json(selectors.to_calculation(agreement, members))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="agreement-{agreement.pk}.json"'
    return response


@staff_required(REGION_VIEW, personal_data=False, tenant=Tenant.PREFECTURE)
def agreement_shares_csv(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(prefecture=prefecture_of(request), pk=pk)
    shares = selectors.agreement_shares(
        agreement=agreement, members=selectors.agreement_members(agreement=agreement)
    )
    rows = [_statement_header()] + [_statement_row(agreement, r) for r in shares.rows]
    return csv_response(rows, f"shares-{agreement.fiscal_year}-{agreement.pk}.csv")


def _statement_header() -> list[object]:
    return [
        "年度", "協定", "団体コード", "団体名", "人口", "利用量", "基準財政需要額（千円）",
        "均等割", "人口割", "利用割", "財政需要割", "按分額（端数処理前）", "端数処理後", "端数配分",
        "負担額",
    ]  # fmt: skip


def _statement_row(agreement: object, row: selectors.ShareRow) -> list[object]:
    parts = row.parts_yen
    member = row.member
    return [
        agreement.fiscal_year,  # type: ignore[attr-defined]
        agreement.name,  # type: ignore[attr-defined]
        row.municipality.code,
        row.municipality.name,
        member.population if member else "",
        member.usage if member else "",
        member.fiscal_need if member else "",
        parts["equal"],
        parts["population"],
        parts["usage"],
        parts["fiscal_need"],
        row.exact_yen,
        row.share.rounded,
        row.share.adjustment,
        row.share.final,
    ]


@staff_required(REGION_STATEMENT, personal_data=False, tenant=Tenant.ANY)
def statement(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A municipality's yearly statement (also as PDF and CSV)."""
    scope = Scope.of_staff(staff_user(request))
    agreement, shares, row = selectors.statement(scope=scope, agreement_pk=pk, code=code)
    return render(
        request,
        "region/statement.html",
        {"agreement": agreement, "shares": shares, "row": row, "parts": PARTS},
    )


@staff_required(REGION_STATEMENT, personal_data=False, tenant=Tenant.ANY)
def statement_pdf(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The statement as an A4 PDF (embedded IPAex fonts, like the printed forms)."""
    scope = Scope.of_staff(staff_user(request))
    agreement, shares, row = selectors.statement(scope=scope, agreement_pk=pk, code=code)
    try:
        pdf = render_statement_pdf(agreement, shares, row, issued_on=timezone.localdate())
    except MissingGlyphs as exc:
        messages.error(request, exc.describe())
        return redirect("region:statement", pk=pk, code=code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{agreement.fiscal_year}-{code}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required(REGION_STATEMENT, personal_data=False, tenant=Tenant.ANY)
def statement_csv(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    scope = Scope.of_staff(staff_user(request))
    agreement, _shares, row = selectors.statement(scope=scope, agreement_pk=pk, code=code)
    return csv_response(
        [_statement_header(), _statement_row(agreement, row)],
        f"statement-{agreement.fiscal_year}-{code}.csv",
    )
