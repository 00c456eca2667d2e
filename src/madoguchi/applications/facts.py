"""Read contract for the insights: aggregate facts about applications, per scope and period.

Functions take a `Scope` and a period of local days, aggregate in the database and return small
dataclasses (ids and counts, never a resident's row). The insights app reads applications only
through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Value

from madoguchi.core.sql_time import (
    DaysBetweenDates,
    LocalDate,
    LocalHour,
    LocalSundayWeekday,
    local_day_bounds,
    monday_weekday,
)
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.access import Scope

from .models import OPEN_STATUSES, Application, Channel, CorrectionRequest, Status

# Channels through which nobody had to come to the counter.
ONLINE_CHANNELS = (Channel.ONLINE, Channel.BUNDLE, Channel.API)


@dataclass(frozen=True)
class ProcedureLabel:
    id: int
    municipality_id: int
    name: str
    standard_processing_days: int | None


@dataclass(frozen=True)
class ApplicationCount:
    municipality_id: int
    day: date
    procedure_id: int
    channel: str
    count: int


@dataclass(frozen=True)
class WeekdayHour:
    weekday: int  # 0 = Monday
    hour: int
    count: int


@dataclass(frozen=True)
class LeadTimeRow:
    """Applications closed as 完了 in the period, by procedure and calendar days taken."""

    municipality_id: int
    procedure_id: int
    days: int
    count: int


@dataclass(frozen=True)
class BacklogRow:
    municipality_id: int
    procedure_id: int
    status: str
    count: int
    overdue: int  # older than the procedure's 標準処理期間


@dataclass(frozen=True)
class DayHour:
    municipality_id: int
    day: date
    procedure_id: int
    channel: str
    hour: int
    count: int


@dataclass(frozen=True)
class LeadTimeDay:
    """Applications closed as 完了 on `day` (local date of closing)."""

    municipality_id: int
    day: date
    procedure_id: int
    channel: str
    days: int
    count: int


@dataclass(frozen=True)
class CorrectionDay:
    municipality_id: int
    day: date
    procedure_id: int
    channel: str
    submitted: int
    corrected: int


@dataclass(frozen=True)
class CorrectionCount:
    municipality_id: int
    submitted: int
    corrected: int  # with at least one 補正依頼


def procedure_labels(*, scope: Scope) -> list[ProcedureLabel]:
    return [
        ProcedureLabel(pk, m, name, days)
        for pk, m, name, days in Procedure.objects.for_scope(scope)
        .order_by("municipality_id", "sort_order", "name")
        .values_list("id", "municipality_id", "name", "standard_processing_days")
    ]


def _submitted(
    scope: Scope,
    first: date,
    last: date,
    procedure_ids: list[int] | None,
    channels: list[str] | None,
) -> QuerySet[Any]:
    start, end = local_day_bounds(first, last)
    qs = (
        Application.objects.for_scope(scope)
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .annotate(d=LocalDate("submitted_at"))
    )
    if procedure_ids:
        qs = qs.filter(procedure_id__in=procedure_ids)
    if channels:
        qs = qs.filter(channel__in=channels)
    return qs


def application_counts(
    *,
    scope: Scope,
    first: date,
    last: date,
    procedure_ids: list[int] | None = None,
    channels: list[str] | None = None,
) -> list[ApplicationCount]:
    """Applications submitted per local day, procedure and channel (one GROUP BY)."""
    rows = (
        _submitted(scope, first, last, procedure_ids, channels)
        .values("municipality_id", "d", "procedure_id", "channel")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        ApplicationCount(r["municipality_id"], r["d"], r["procedure_id"], r["channel"], r["n"])
        for r in rows
    ]


def application_weekday_hour(
    *,
    scope: Scope,
    first: date,
    last: date,
    procedure_ids: list[int] | None = None,
    channels: list[str] | None = None,
) -> list[WeekdayHour]:
    rows = (
        _submitted(scope, first, last, procedure_ids, channels)
        .annotate(wd=LocalSundayWeekday("submitted_at"), hour=LocalHour("submitted_at"))
        .values("wd", "hour")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [WeekdayHour(monday_weekday(r["wd"]), r["hour"], r["n"]) for r in rows]


def lead_times(
    *,
    scope: Scope,
    first: date,
    last: date,
    procedure_ids: list[int] | None = None,
    channels: list[str] | None = None,
) -> list[LeadTimeRow]:
    """Calendar days from submission to 完了, for applications completed in the period."""
    start, end = local_day_bounds(first, last)
    qs = Application.objects.for_scope(scope).filter(
        status=Status.COMPLETED, closed_at__gte=start, closed_at__lt=end
    )
    if procedure_ids:
        qs = qs.filter(procedure_id__in=procedure_ids)
    if channels:
        qs = qs.filter(channel__in=channels)
    rows = (
        qs.annotate(days=DaysBetweenDates(LocalDate("closed_at"), LocalDate("submitted_at")))
        .values("municipality_id", "procedure_id", "days")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        LeadTimeRow(r["municipality_id"], r["procedure_id"], max(0, r["days"]), r["n"])
        for r in rows
    ]


def backlog(
    *,
    scope: Scope,
    today: date,
    procedure_ids: list[int] | None = None,
    channels: list[str] | None = None,
) -> list[BacklogRow]:
    """Open applications now, by status, and how many are past 標準処理期間."""
    # closed_at IS NULL holds for every open application and lets the open-ones index serve.
    qs = Application.objects.for_scope(scope).filter(
        status__in=OPEN_STATUSES, closed_at__isnull=True
    )
    if procedure_ids:
        qs = qs.filter(procedure_id__in=procedure_ids)
    if channels:
        qs = qs.filter(channel__in=channels)
    age = DaysBetweenDates(Value(today, output_field=DateField()), LocalDate("submitted_at"))
    rows = (
        qs.annotate(age=age)
        .values("municipality_id", "procedure_id", "status")
        .order_by()
        .annotate(
            n=Count("id"),
            overdue=Count(
                "id",
                filter=Q(procedure__standard_processing_days__isnull=False)
                & Q(age__gt=F("procedure__standard_processing_days")),
            ),
        )
    )
    return [
        BacklogRow(r["municipality_id"], r["procedure_id"], r["status"], r["n"], r["overdue"])
        for r in rows
    ]


def correction_counts(
    *,
    scope: Scope,
    first: date,
    last: date,
    procedure_ids: list[int] | None = None,
    channels: list[str] | None = None,
) -> list[CorrectionCount]:
    """Applications submitted in the period, and how many needed a 補正依頼."""
    asked = CorrectionRequest.objects.filter(application=OuterRef("pk"))
    rows = (
        _submitted(scope, first, last, procedure_ids, channels)
        .annotate(corrected=Exists(asked))
        .values("municipality_id")
        .order_by()
        .annotate(n=Count("id"), c=Count("id", filter=Q(corrected=True)))
    )
    return [CorrectionCount(r["municipality_id"], r["n"], r["c"]) for r in rows]


# --- Per day, for the insights' daily rollup ---------------------------------------------------


def application_day_hours(*, scope: Scope, first: date, last: date) -> list[DayHour]:
    rows = (
        _submitted(scope, first, last, None, None)
        .annotate(hour=LocalHour("submitted_at"))
        .values("municipality_id", "d", "procedure_id", "channel", "hour")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        DayHour(r["municipality_id"], r["d"], r["procedure_id"], r["channel"], r["hour"], r["n"])
        for r in rows
    ]


def lead_time_days(*, scope: Scope, first: date, last: date) -> list[LeadTimeDay]:
    start, end = local_day_bounds(first, last)
    rows = (
        Application.objects.for_scope(scope)
        .filter(status=Status.COMPLETED, closed_at__gte=start, closed_at__lt=end)
        .annotate(
            closed=LocalDate("closed_at"),
            days=DaysBetweenDates(LocalDate("closed_at"), LocalDate("submitted_at")),
        )
        .values("municipality_id", "closed", "procedure_id", "channel", "days")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        LeadTimeDay(
            r["municipality_id"],
            r["closed"],
            r["procedure_id"],
            r["channel"],
            max(0, r["days"]),
            r["n"],
        )
        for r in rows
    ]


def correction_days(*, scope: Scope, first: date, last: date) -> list[CorrectionDay]:
    asked = CorrectionRequest.objects.filter(application=OuterRef("pk"))
    rows = (
        _submitted(scope, first, last, None, None)
        .annotate(corrected=Exists(asked))
        .values("municipality_id", "d", "procedure_id", "channel")
        .order_by()
        .annotate(n=Count("id"), c=Count("id", filter=Q(corrected=True)))
    )
    return [
        CorrectionDay(r["municipality_id"], r["d"], r["procedure_id"], r["channel"], r["n"], r["c"])
        for r in rows
    ]
