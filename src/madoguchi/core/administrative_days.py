"""行政機関の休日: the days a municipal office counts no working time (標準処理期間, deadlines).

Saturdays, Sundays, national holidays (jpholiday, including substitute holidays) and 12月29日〜
1月3日 (地方自治法第4条の2 and each municipality's 休日条例). A period "of N days" in a procedure's
標準処理期間 counts working days: the day of receipt is not counted, and the period ends on the
N-th working day after it.
"""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday


def is_administrative_holiday(day: date) -> bool:
    if day.weekday() >= 5:
        return True
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return True
    return bool(jpholiday.is_holiday(day))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself is not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if not is_administrative_holiday(day):
            remaining -= 1
    return day


def working_days_between(first: date, last: date) -> int:
    """Working days after `first` up to and including `last` (0 when `last` <= `first`)."""
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if not is_administrative_holiday(day):
            count += 1
    return count
