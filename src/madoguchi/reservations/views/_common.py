"""Small helpers shared by the reservation views."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from madoguchi.core import params

START_FORMAT = params.MINUTE_FORMAT


def parse_start(value: str | None) -> datetime | None:
    """A slot start as it appears in URLs and forms (local time, minutes), or None."""
    return params.parse_minute((value or "")[:16])


def format_start(start: datetime) -> str:
    return timezone.localtime(start).strftime(START_FORMAT)


def parse_day(value: str | None) -> date | None:
    """A day in a URL (YYYY-MM-DD, within the calendar's range), or None."""
    return params.parse_day((value or "")[:10])
