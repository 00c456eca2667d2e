"""Effects a municipality takes straight from Madoguchi's measured figures: the last 365 days
up to today (so a yearly figure is a year), each with its label, unit and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from madoguchi.tenancy.models import Municipality

from ..models import EffectMetric, EffectPeriod
from ..usage import measured_effects

WINDOW_DAYS = 365


@dataclass(frozen=True)
class MeasuredFigure:
    metric: str
    label: str
    value: Decimal
    unit: str
    period: str
    first: date
    last: date


def window(today: date) -> tuple[date, date]:
    return today - timedelta(days=WINDOW_DAYS - 1), today


def measured_figures(*, municipality: Municipality, today: date) -> list[MeasuredFigure]:
    """The figures Madoguchi measured for the municipality (those it could measure)."""
    first, last = window(today)
    found = measured_effects(municipality=municipality, first=first, last=last, today=today)
    rows: list[tuple[str, int | Decimal | None, str, str]] = [
        (EffectMetric.STAFF_HOURS, found.staff_hours, "時間", EffectPeriod.PER_YEAR),
        (EffectMetric.ONLINE_SHARE, found.online_share, "%", EffectPeriod.WINDOW),
        (EffectMetric.PREINPUT_SHARE, found.preinput_share, "%", EffectPeriod.WINDOW),
        (EffectMetric.MEDIAN_WAIT, found.median_wait, "分", EffectPeriod.WINDOW),
    ]
    return [
        MeasuredFigure(
            metric=str(metric),
            label=str(EffectMetric(metric).label),
            value=Decimal(value),
            unit=unit,
            period=str(period),
            first=first,
            last=last,
        )
        for metric, value, unit, period in rows
        if value is not None
    ]
