"""Read contract for the insights: counter-mode timings, with and without pre-input.

Every counter step is a `CounterEvent` (opened or scan, card_read, completed, confirmed,
printed). Per day, procedure and whether the form came from a pre-input, this module gives how
many forms were started and finished and the measured seconds from the first step (the scan,
or opening an interview form) to the resident's confirmation and to the printed form — one
GROUP BY query, no personal data. The insights compare the two groups' mean times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from madoguchi.core.sql_time import LocalDate, SecondsBetween, local_day_bounds
from madoguchi.tenancy.access import Scope

from .models import CounterCase, CounterEvent


@dataclass(frozen=True)
class CounterDay:
    """One day × procedure × (with or without pre-input) of one municipality."""

    municipality_id: int
    day: date
    procedure_id: int
    with_preinput: bool
    started: int  # forms opened (scanned or by interview)
    confirmed: int  # became applications
    card_reads: int  # forms into which the card agent handed attributes
    seconds_to_confirm: float  # summed over `confirmed`
    printed: int  # confirmed and printed
    seconds_to_print: float  # summed over `printed`: scan → printed form

    @property
    def mean_seconds_to_confirm(self) -> float | None:
        return self.seconds_to_confirm / self.confirmed if self.confirmed else None

    @property
    def mean_seconds_to_print(self) -> float | None:
        return self.seconds_to_print / self.printed if self.printed else None


def _first(scope: Scope, kind: str) -> Subquery:
    return Subquery(
        CounterEvent.objects.for_scope(scope)
        .filter(case=OuterRef("pk"), kind=kind)
        .order_by("at")
        .values("at")[:1]
    )


def counter_days(*, scope: Scope, first: date, last: date) -> list[CounterDay]:
    """Counts and summed service seconds per local day of the first step."""
    start, end = local_day_bounds(first, last)
    rows = (
        CounterCase.objects.for_scope(scope)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(
            confirmed_at=_first(scope, CounterEvent.Kind.CONFIRMED),
            printed_at=_first(scope, CounterEvent.Kind.PRINTED),
            card=Exists(
                CounterEvent.objects.for_scope(scope).filter(
                    case=OuterRef("pk"), kind=CounterEvent.Kind.CARD_READ
                )
            ),
            preinput=ExpressionWrapper(
                ~Q(source=CounterCase.Source.INTERVIEW), output_field=BooleanField()
            ),
            day=LocalDate("created_at"),
        )
        .values("municipality_id", "day", "procedure_id", "preinput")
        .order_by()
        .annotate(
            started=Count("id"),
            confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
            card_reads=Count("id", filter=Q(card=True)),
            seconds_to_confirm=Coalesce(
                Sum(
                    SecondsBetween("confirmed_at", "created_at"),
                    filter=Q(confirmed_at__isnull=False),
                ),
                0.0,
            ),
            printed=Count("id", filter=Q(confirmed_at__isnull=False, printed_at__isnull=False)),
            seconds_to_print=Coalesce(
                Sum(
                    SecondsBetween("printed_at", "created_at"),
                    filter=Q(confirmed_at__isnull=False, printed_at__isnull=False),
                ),
                0.0,
            ),
        )
    )
    return [
        CounterDay(
            municipality_id=r["municipality_id"],
            day=r["day"],
            procedure_id=r["procedure_id"],
            with_preinput=bool(r["preinput"]),
            started=r["started"],
            confirmed=r["confirmed"],
            card_reads=r["card_reads"],
            seconds_to_confirm=float(r["seconds_to_confirm"] or 0),
            printed=r["printed"],
            seconds_to_print=float(r["seconds_to_print"] or 0),
        )
        for r in rows
    ]
