"""Read contract for the insights: aggregate facts about questions asked to the FAQ assistant.

Counts per local day only; the masked question texts stay in the FAQ analytics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from madoguchi.core.sql_time import LocalDate, local_day_bounds
from madoguchi.tenancy.access import Scope

from .models import FaqQueryLog


@dataclass(frozen=True)
class FaqDay:
    municipality_id: int
    day: date
    asked: int
    answered: int  # an entry was found with enough confidence
    rated: int  # the resident answered "解決した?"
    helpful: int  # … with yes


def faq_days(*, scope: Scope, first: date, last: date) -> list[FaqDay]:
    start, end = local_day_bounds(first, last)
    rows = (
        FaqQueryLog.objects.for_scope(scope)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(d=LocalDate("created_at"))
        .values("municipality_id", "d")
        .order_by()
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=Q(answered=True)),
            rated=Count("id", filter=Q(helpful__isnull=False)),
            helpful=Count("id", filter=Q(helpful=True)),
        )
    )
    return [
        FaqDay(r["municipality_id"], r["d"], r["n"], r["answered"], r["rated"], r["helpful"])
        for r in rows
    ]
