"""The shared parsers of outside values: ASCII digits only, bounded days, never an exception."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from hypothesis import given

from madoguchi.core import params
from madoguchi.core.tests.hostile import hostile_text


@pytest.mark.parametrize(
    "text", ["١٢٣", "①", "²", "１２３", "1e3", "", " ", "99999999999999999", "1\x002", "items"]
)
def test_digit_like_or_huge_numbers_are_not_integers(text: str) -> None:
    assert params.parse_int(text) is None


def test_integers_in_ascii_digits_within_bounds() -> None:
    assert params.parse_int(" 42 ") == 42
    assert params.parse_int("-3") == -3
    assert params.parse_int("0", low=1) is None
    assert params.parse_id("7") == 7


@pytest.mark.parametrize(
    "text", ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "２０２６-０１-０１", "x"]
)
def test_calendar_edges_are_not_days(text: str) -> None:
    assert params.parse_day(text) is None


def test_days_and_minutes_in_range() -> None:
    assert params.parse_day("2026-03-31") == date(2026, 3, 31)
    assert params.parse_minute("9999-12-31T23:59") is None
    start = params.parse_minute("2026-03-31T09:30")
    assert start is not None and (start.hour, start.minute) == (9, 30)


@given(text=hostile_text)
def test_parsers_never_raise(text: str) -> None:
    for parse in (params.parse_int, params.parse_day, params.parse_minute):
        parse(text)


@pytest.mark.django_db
def test_in_lookup_ignores_numbers_the_column_cannot_hold() -> None:
    huge = [2**63, -(2**63) - 1, 10**30]
    assert list(ContentType.objects.filter(pk__in=huge)) == []


def test_email_that_no_column_can_hold_is_refused() -> None:
    assert params.parse_email(" hanako@example.jp ") == "hanako@example.jp"
    assert params.parse_email("a" * 250 + "@example.jp") is None
    assert params.parse_email("not an address") is None
