"""Dashboards for a municipality's managers and a prefecture's region figures (aggregates only).

Every view is behind the one staff guard; none shows a resident's row (personal_data=False).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.guard import Tenant, staff_required
from madoguchi.accounts.permissions import VIEW_DASHBOARD, VIEW_REGION
from madoguchi.applications import facts as application_facts
from madoguchi.core import csv as safe_csv
from madoguchi.reservations import facts as visit_facts
from madoguchi.tenancy.access import Scope

from . import charts, opendata, selectors, services, staffing_plan
from .forms import FilterForm, StaffingForm, TargetsForm

CHANGE_TARGETS = "insights.change_insightstarget"


def _form(request: HttpRequest, scope: Scope) -> FilterForm:
    procedures = [(p.id, p.name) for p in application_facts.procedure_labels(scope=scope)]
    services = [(s.id, f"{s.series} {s.name}") for s in visit_facts.service_labels(scope=scope)]
    today = timezone.localdate()
    return FilterForm(
        request.GET if "first" in request.GET else None,
        procedures=procedures if not scope.is_prefecture else [],
        services=services if not scope.is_prefecture else [],
        initial_filters=selectors.Filters.default(today),
        region=scope.is_prefecture,
    )


def _csv(name: str, header: list[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = safe_csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _dashboard(request: HttpRequest) -> tuple[FilterForm, selectors.Dashboard]:
    user: Any = request.user
    scope = Scope.of_staff(user)
    form = _form(request, scope)
    board = selectors.dashboard(
        scope=scope, filters=form.filters(), targets=selectors.targets_for(user.municipality_id)
    )
    return form, board


@staff_required(VIEW_DASHBOARD, personal_data=False)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, board = _dashboard(request)
    for table in board.tables:
        table.svg = charts.render(table)
    return render(
        request,
        "insights/dashboard.html",
        {"form": form, "board": board, "query": request.GET.urlencode()},
    )


@staff_required(VIEW_DASHBOARD, personal_data=False)
def table_csv(request: HttpRequest) -> HttpResponse:
    """One chart's rows as CSV: `?chart=<slug>` plus the dashboard's own filters."""
    slug = request.GET.get("chart", "")
    if not slug:
        return redirect("insights:dashboard")  # the page lists every chart's CSV
    _form_unused, board = _dashboard(request)
    table = board.table(slug)
    if table is None:
        raise Http404
    period = f"{board.filters.first:%Y%m%d}-{board.filters.last:%Y%m%d}"
    return _csv(f"{slug}-{period}", table.columns, table.rows)


def _opendata(request: HttpRequest, scope: Scope) -> HttpResponse:
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=365)).replace(day=1)
    rows = opendata.opendata_rows(scope=scope, first=first, last=today)
    return _csv(f"madoguchi-opendata-{today:%Y%m%d}", opendata.COLUMNS, rows)


@staff_required(VIEW_DASHBOARD, personal_data=False)
def opendata_csv(request: HttpRequest) -> HttpResponse:
    return _opendata(request, Scope.of_staff(request.user))  # type: ignore[arg-type]


@staff_required(VIEW_REGION, personal_data=False, tenant=Tenant.PREFECTURE)
def region(request: HttpRequest) -> HttpResponse:
    scope = Scope.of_staff(request.user)  # type: ignore[arg-type]
    form = _form(request, scope)
    table = selectors.region(scope=scope, filters=form.filters())
    table.svg = charts.render(table)
    return render(
        request,
        "insights/region.html",
        {"form": form, "table": table, "filters": form.filters(), "query": request.GET.urlencode()},
    )


@staff_required(VIEW_REGION, personal_data=False, tenant=Tenant.PREFECTURE)
def region_csv(request: HttpRequest) -> HttpResponse:
    scope = Scope.of_staff(request.user)  # type: ignore[arg-type]
    filters = _form(request, scope).filters()
    table = selectors.region(scope=scope, filters=filters)
    return _csv(f"region-{filters.first:%Y%m%d}-{filters.last:%Y%m%d}", table.columns, table.rows)


@staff_required(VIEW_REGION, personal_data=False, tenant=Tenant.PREFECTURE)
def region_opendata_csv(request: HttpRequest) -> HttpResponse:
    return _opendata(request, Scope.of_staff(request.user))  # type: ignore[arg-type]


def _staffing(request: HttpRequest) -> tuple[StaffingForm, staffing_plan.Plan]:
    user: Any = request.user
    today = timezone.localdate()
    form = StaffingForm(request.GET if "weekday" in request.GET else None, today=today)
    weekday, weeks = form.choice()
    plan = staffing_plan.staffing_plan(
        scope=Scope.of_staff(user),
        weekday=weekday,
        weeks=weeks,
        target_minutes=selectors.targets_for(user.municipality_id).wait_minutes,
        today=today,
        now=timezone.now(),
    )
    return form, plan


@staff_required(VIEW_DASHBOARD, personal_data=False)
def staffing(request: HttpRequest) -> HttpResponse:
    """How many windows to open when: measured demand, Erlang C/A, roster, what-ifs."""
    form, plan = _staffing(request)
    table = staffing_plan.staffing_table(plan)
    table.svg = charts.render(table) if plan.enough else ""
    return render(
        request,
        "insights/staffing.html",
        {
            "form": form,
            "plan": plan,
            "table": table,
            "weekday_label": selectors.WEEKDAYS[plan.weekday],
            "query": request.GET.urlencode(),
            "can_edit_targets": request.user.has_perm(CHANGE_TARGETS),
            "min_days": staffing_plan.MIN_OPEN_DAYS,
            "min_service": staffing_plan.MIN_SERVICE_TIMES,
            "min_visits": f"{staffing_plan.MIN_VISITS_PER_DAY:g}",
            "default_no_show": f"{staffing_plan.DEFAULT_NO_SHOW * 100:g}",
            "default_patience": f"{staffing_plan.DEFAULT_PATIENCE_MINUTES:g}",
            "replications": staffing_plan.REPLICATIONS,
        },
    )


@staff_required(VIEW_DASHBOARD, personal_data=False)
def staffing_csv(request: HttpRequest) -> HttpResponse:
    """The recommendation table (per half-hour) of the staffing page's weekday and period."""
    _form_unused, plan = _staffing(request)
    if not plan.enough:
        return redirect("insights:staffing")  # the page says why there is nothing to download
    table = staffing_plan.staffing_table(plan)
    period = f"{plan.measured.first:%Y%m%d}-{plan.measured.last:%Y%m%d}"
    return _csv(f"staffing-{plan.weekday + 1}-{period}", table.columns, table.rows)


@staff_required(VIEW_DASHBOARD, CHANGE_TARGETS, personal_data=False)
def targets(request: HttpRequest) -> HttpResponse:
    """The municipality's targets (online share, wait), edited outside the admin."""
    user: Any = request.user
    current = selectors.targets_for(user.municipality_id)
    initial = {
        "online_target_percent": current.online_percent,
        "wait_target_minutes": current.wait_minutes,
    }
    form = TargetsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.targets_set(municipality_id=user.municipality_id, **form.cleaned_data)
        messages.success(
            request,
            _("目標値を保存しました。ダッシュボードと人員配置の数値は新しい目標で計算されます。"),
        )
        return redirect("insights:targets")
    return render(
        request,
        "insights/targets.html",
        {"form": form, "targets": current},
        status=400 if request.method == "POST" else 200,
    )
