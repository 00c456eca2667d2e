"""Processing deadlines: a procedure's 標準処理期間 counted in working days (core.administrative_days).

The deadline is set when the application is received and moved on by the working days it then
waits on the resident (補正依頼 to resubmission): the time a correction takes is not the office's
(行政手続法第6条 and its practice).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from madoguchi.core.administrative_days import add_working_days, working_days_between


def due_on_for(*, standard_days: int | None, submitted_at: datetime) -> date | None:
    if not standard_days:
        return None
    return add_working_days(timezone.localdate(submitted_at), standard_days)


def due_on_after_correction(
    *, due_on: date | None, requested_at: datetime, resumed_at: datetime
) -> date | None:
    """The deadline moved by the working days the correction kept the application waiting."""
    if due_on is None:
        return None
    paused = working_days_between(timezone.localdate(requested_at), timezone.localdate(resumed_at))
    return add_working_days(due_on, paused) if paused else due_on


def elapsed_days(*, submitted_at: datetime, today: date | None = None) -> int:
    """Calendar days since receipt (what a resident waiting counts)."""
    return ((today or timezone.localdate()) - timezone.localdate(submitted_at)).days
