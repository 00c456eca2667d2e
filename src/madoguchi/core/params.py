"""Values that arrive from outside (query strings, path parts, form fields, API bodies).

One place for the rules every view and service needs, so no caller rediscovers them:
- integers are ASCII digits only: `str.isdigit()` and `int()` accept digit-like Unicode
  ('١٢٣', '²', '①' passes isdigit() and then fails int()), and a huge number overflows the
  database's integer columns;
- days lie in a range where date arithmetic cannot overflow (a filter at 9999-12-31 plus
  one day is past `date.max`), from 明治6年 (the Gregorian calendar in Japan) to 2999;
- NUL characters are never text (PostgreSQL refuses them in every text column).
Each parser answers None for anything it does not accept; the caller decides whether that
means "use the default" or "say what is wrong".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

EARLIEST_DAY = date(1873, 1, 1)
LATEST_DAY = date(2999, 12, 31)
# Fits a signed 64-bit column (bigint / SQLite INTEGER) with room to spare.
MAX_INTEGER = 10**15

_INTEGER = re.compile(r"[+-]?[0-9]{1,16}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MINUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")
MINUTE_FORMAT = "%Y-%m-%dT%H:%M"
# What every e-mail column holds (Django's EmailField default); longer addresses pass
# Django's validator but fail the column on PostgreSQL.
EMAIL_MAX_LENGTH = 254


def parse_int(value: object, *, low: int | None = None, high: int | None = None) -> int | None:
    """An integer written in ASCII digits within [low, high] (±10¹⁵ at most), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    if abs(number) > MAX_INTEGER:
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def parse_id(value: object) -> int | None:
    """A database id (a positive integer that fits the column), else None."""
    return parse_int(value, low=1)


def in_day_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def parse_day(value: object) -> date | None:
    """A day written YYYY-MM-DD (ASCII) between 1873 and 2999, else None."""
    if not isinstance(value, str) or not _DAY.fullmatch(value.strip()):
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if in_day_range(day) else None


def parse_minute(value: object) -> datetime | None:
    """A local time to the minute written YYYY-MM-DDTHH:MM (ASCII), aware, else None."""
    if not isinstance(value, str) or not _MINUTE.fullmatch(value.strip()):
        return None
    try:
        naive = datetime.strptime(value.strip(), MINUTE_FORMAT)
    except ValueError:
        return None
    if not in_day_range(naive.date()):
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def parse_email(value: object) -> str | None:
    """An e-mail address that fits every e-mail column, stripped, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > EMAIL_MAX_LENGTH:
        return None
    try:
        validate_email(text)
    except ValidationError:
        return None
    return text


def has_nul(text: str) -> bool:
    return "\x00" in text


def login_username(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """The username a login attempt is recorded under (django-axes' AXES_USERNAME_CALLABLE).

    What was typed, cut to the username column (150): axes stores it in a 255-character
    column, so a very long "username" answered 500 on PostgreSQL at every login door.
    """
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get("username", "") if hasattr(source, "get") else ""
    return str(value or "")[:150]
