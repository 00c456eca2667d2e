from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core.tests.hostile import hostile_text
from madoguchi.core.wareki import (
    ERAS,
    GREGORIAN_START,
    date_from_parts,
    era_for,
    format_wareki,
    format_western,
    lookup_era,
    parse_date,
    to_wareki,
)

CODES = {
    "empty",
    "invalid_format",
    "invalid_year",
    "invalid_month",
    "invalid_day",
    "nonexistent_date",
    "before_gregorian",
    "era_not_started",
    "era_ended",
    "weekday_mismatch",
    "invalid_era",
}

dates = st.dates(min_value=GREGORIAN_START, max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和6年4月1日", date(2024, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("明治6年1月1日", date(1873, 1, 1)),
        ("R6.4.1", date(2024, 4, 1)),
        ("r6.4.1", date(2024, 4, 1)),
        ("R06.04.01", date(2024, 4, 1)),
        ("H31/4/30", date(2019, 4, 30)),
        ("H.31.4.30", date(2019, 4, 30)),
        ("S64-1-7", date(1989, 1, 7)),
        ("M45.7.29", date(1912, 7, 29)),
        ("T15.12.24", date(1926, 12, 24)),
        ("昭64.1.7", date(1989, 1, 7)),
        ("R060401", date(2024, 4, 1)),
        ("2024-04-01", date(2024, 4, 1)),
        ("2024/4/1", date(2024, 4, 1)),
        ("2024.4.1", date(2024, 4, 1)),
        ("2024 4 1", date(2024, 4, 1)),
        ("2024年4月1日", date(2024, 4, 1)),
        ("西暦2024年4月1日", date(2024, 4, 1)),
        ("20240401", date(2024, 4, 1)),
        ("２０２４年４月１日", date(2024, 4, 1)),
        ("２０２４／０４／０１", date(2024, 4, 1)),
        ("２０２４－４－１", date(2024, 4, 1)),
        ("2024ー4ー1", date(2024, 4, 1)),
        ("令和６年４月１日", date(2024, 4, 1)),
        ("Ｒ６．４．１", date(2024, 4, 1)),
        ("　令和 6 年 4 月 1 日　", date(2024, 4, 1)),
        ("㍻31年4月30日", date(2019, 4, 30)),
        ("㋿元年5月1日", date(2019, 5, 1)),
        ("平成三十一年四月三十日", date(2019, 4, 30)),
        ("二〇二四年四月一日", date(2024, 4, 1)),
        ("2024年4月1日(月)", date(2024, 4, 1)),
        ("2024年4月1日（月曜日）", date(2024, 4, 1)),
        ("2024\u200b/4/1", date(2024, 4, 1)),
    ],
)
def test_parses_what_residents_type(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("平成元年1月7日", "era_not_started"),
        ("令和元年4月30日", "era_not_started"),
        ("大正元年7月29日", "era_not_started"),
        ("昭和元年12月24日", "era_not_started"),
        ("平成31年5月1日", "era_ended"),
        ("平成32年1月1日", "era_ended"),
        ("昭和64年1月8日", "era_ended"),
        ("昭和65年1月1日", "era_ended"),
        ("大正15年12月25日", "era_ended"),
        ("明治45年7月30日", "era_ended"),
        ("明治5年12月31日", "before_gregorian"),
        ("明治元年1月1日", "before_gregorian"),
        ("1872-12-31", "before_gregorian"),
        ("2023年2月29日", "nonexistent_date"),
        ("令和6年2月30日", "nonexistent_date"),
        ("2024/4/31", "nonexistent_date"),
        ("2024/13/1", "invalid_month"),
        ("2024/0/1", "invalid_month"),
        ("2024/1/0", "invalid_day"),
        ("2024/1/32", "invalid_day"),
        ("令和0年1月1日", "invalid_year"),
        ("令和9999年1月1日", "invalid_year"),
        ("0000-01-01", "invalid_year"),
        ("", "empty"),
        ("　 ", "empty"),
        ("24/4/1", "invalid_format"),
        ("2024年4月", "invalid_format"),
        ("M45", "invalid_format"),
        ("慶応3年1月1日", "invalid_format"),
        ("2024年4月1日（火）", "weekday_mismatch"),
        ("1" * 10_000, "invalid_format"),
    ],
)
def test_rejects_with_stable_code(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_date(text)
    assert excinfo.value.code == code


def test_era_boundary_messages_say_what_to_type() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_date("平成31年5月1日")
    assert excinfo.value.messages == [
        "平成は平成31年4月30日までです。令和元年5月1日以降は令和で入力してください。"
    ]
    with pytest.raises(ValidationError) as excinfo:
        parse_date("平成元年1月7日")
    assert excinfo.value.messages == [
        "平成は平成元年1月8日からです。それより前の日付は昭和で入力してください。"
    ]
    with pytest.raises(ValidationError) as excinfo:
        parse_date("令和5年2月29日")
    assert excinfo.value.messages == ["令和5年2月は28日までです。日付を確かめてください。"]


def test_every_era_boundary_day() -> None:
    for previous, era in pairwise(ERAS):
        assert previous.end == era.start - timedelta(days=1)
        assert era_for(era.start) is era
        assert era_for(previous.end) is previous
        assert to_wareki(era.start).year == 1
        assert parse_date(f"{era.name}元年{era.start.month}月{era.start.day}日") == era.start
        day_before = era.start - timedelta(days=1)
        with pytest.raises(ValidationError) as excinfo:
            parse_date(f"{era.name}元年{day_before.month}月{day_before.day}日")
        assert excinfo.value.code == "era_not_started"
        last = to_wareki(previous.end)
        following = previous.end + timedelta(days=1)
        with pytest.raises(ValidationError) as excinfo:
            parse_date(f"{previous.name}{last.year}年{following.month}月{following.day}日")
        assert excinfo.value.code == "era_ended"


def test_format_wareki() -> None:
    assert format_wareki(date(2024, 4, 1)) == "令和6年4月1日"
    assert format_wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert format_wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert format_wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert format_wareki(date(1873, 1, 1)) == "明治6年1月1日"
    assert format_wareki(date(2024, 4, 1), with_western_year=True) == "令和6年（2024年）4月1日"
    assert format_western(date(2024, 4, 1)) == "2024年4月1日"
    with pytest.raises(ValueError):
        format_wareki(date(1872, 12, 31))


def test_every_day_1873_to_2100_round_trips() -> None:
    d, last = GREGORIAN_START, date(2100, 12, 31)
    while d <= last:
        assert parse_date(format_wareki(d)) == d
        w = to_wareki(d)
        assert parse_date(f"{w.era.letter}{w.year}.{w.month}.{w.day}") == d
        assert parse_date(d.isoformat()) == d
        d += timedelta(days=1)


_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@settings(max_examples=300, deadline=None)
@given(
    d=dates,
    style=st.sampled_from(["wareki", "letter", "iso", "slash", "kanji", "compact"]),
    fullwidth=st.booleans(),
    space=st.sampled_from(["", " ", "\u3000", "  "]),
)
def test_fullwidth_and_spacing_variants_parse_the_same(
    d: date, style: str, fullwidth: bool, space: str
) -> None:
    w = to_wareki(d)
    text = {
        "wareki": f"{w.era.name}{space}{w.year_text}{space}年{space}{d.month}月{space}{d.day}日",
        "letter": f"{w.era.letter}{w.year:02d}{space}.{space}{d.month}.{d.day}",
        "iso": f"{d.year}-{d.month:02d}-{d.day:02d}",
        "slash": f"{d.year}{space}/{space}{d.month}/{d.day}",
        "kanji": f"{space}{d.year}年{d.month}月{d.day}日{space}",
        "compact": f"{d.year}{d.month:02d}{d.day:02d}",
    }[style]
    if fullwidth:
        text = text.translate(_FULLWIDTH)
    assert parse_date(text) == d


@settings(max_examples=400, deadline=None)
@given(text=hostile_text)
def test_parse_date_only_ever_raises_validation_error(text: str) -> None:
    try:
        result = parse_date(text)
    except ValidationError as error:
        assert error.code in CODES
        assert error.messages  # renders without a formatting error
    else:
        assert result >= GREGORIAN_START


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("令和", "6", "4", "1"), date(2024, 4, 1)),
        (("reiwa", "元", "5", "1"), date(2019, 5, 1)),
        (("R", "元年", "5月", "1日"), date(2019, 5, 1)),
        (("H", "31", "4", "30"), date(2019, 4, 30)),
        (("昭", "６４", "１", "７"), date(1989, 1, 7)),
        ((None, "2024", "4", "1"), date(2024, 4, 1)),
        (("", "２０２４", "０４", "０１"), date(2024, 4, 1)),
        (("西暦", "2024年", "4月", "1日"), date(2024, 4, 1)),
        (("明治", "六", "一", "一"), date(1873, 1, 1)),
    ],
)
def test_date_from_parts(parts: tuple[str | None, str, str, str], expected: date) -> None:
    assert date_from_parts(*parts) == expected


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        (("平成", "元", "1", "7"), "era_not_started"),
        (("平成", "31", "5", "1"), "era_ended"),
        (("大正", "元", "7", "29"), "era_not_started"),
        ((None, "64", "1", "7"), "invalid_year"),
        ((None, "元", "1", "1"), "invalid_year"),
        (("令和", "x", "1", "1"), "invalid_year"),
        (("令和", "6", "", "1"), "invalid_month"),
        (("令和", "6", "2", "30"), "nonexistent_date"),
        (("令和", "6", "4", "abc"), "invalid_day"),
        (("慶応", "1", "1", "1"), "invalid_era"),
        (("令和", "", "", ""), "empty"),
    ],
)
def test_date_from_parts_rejects(parts: tuple[str | None, str, str, str], code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        date_from_parts(*parts)
    assert excinfo.value.code == code


@settings(max_examples=200, deadline=None)
@given(
    era=st.one_of(st.none(), st.sampled_from(["令和", "H", "showa", "㍾"]), hostile_text),
    year=hostile_text,
    month=hostile_text,
    day=hostile_text,
)
def test_date_from_parts_only_ever_raises_validation_error(
    era: str | None, year: str, month: str, day: str
) -> None:
    try:
        result = date_from_parts(era, year, month, day)
    except ValidationError as error:
        assert error.code in CODES
        assert error.messages
    else:
        assert result >= GREGORIAN_START


@settings(max_examples=200, deadline=None)
@given(d=dates)
def test_date_from_parts_round_trips_wareki(d: date) -> None:
    w = to_wareki(d)
    assert date_from_parts(w.era.key, w.year_text, str(w.month), str(w.day)) == d
    assert date_from_parts(None, str(d.year), str(d.month), str(d.day)) == d


def test_lookup_era() -> None:
    assert lookup_era(None) is None
    assert lookup_era("西暦") is None
    assert lookup_era("Ｒ") is ERAS[-1]
    assert lookup_era("heisei") is ERAS[3]
    assert lookup_era("㍼") is ERAS[2]
