from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core.administrative_days import (
    add_working_days,
    is_administrative_holiday,
    working_days_between,
)

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def test_known_days() -> None:
    assert is_administrative_holiday(date(2026, 12, 5))  # Saturday
    assert is_administrative_holiday(date(2026, 12, 29))  # 年末
    assert is_administrative_holiday(date(2027, 1, 4)) is False  # 仕事始め (Monday)
    assert is_administrative_holiday(date(2026, 11, 3))  # 文化の日
    assert is_administrative_holiday(date(2026, 11, 24)) is False


def test_year_end_skipped() -> None:
    # Received Friday 25 December 2026: 28 December (Mon) is day 1, then 4 January 2027.
    assert add_working_days(date(2026, 12, 25), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 25), 2) == date(2027, 1, 4)


@settings(deadline=None)  # the first call loads jpholiday's tables
@given(days, st.integers(min_value=0, max_value=60))
def test_add_and_count_agree(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert n == 0 or not is_administrative_holiday(end)


@settings(deadline=None)
@given(days, days)
def test_count_is_monotone(a: date, b: date) -> None:
    first, last = min(a, b), max(a, b)
    assert working_days_between(first, last) <= working_days_between(
        first, last + timedelta(days=1)
    )
    assert working_days_between(last, first) == 0
