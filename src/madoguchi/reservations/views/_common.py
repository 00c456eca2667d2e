"""Small helpers shared by the reservation views."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

START_FORMAT = "%Y-%m-%dT%H:%M"


def parse_start(value: str | None) -> datetime | None:
    """A slot start as it appears in URLs and forms (local time, minutes), or None."""
    try:
        naive = datetime.strptime((value or "")[:16], START_FORMAT)
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def format_start(start: datetime) -> str:
    return timezone.localtime(start).strftime(START_FORMAT)


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
