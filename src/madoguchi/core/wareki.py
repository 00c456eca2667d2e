"""Dates as residents type them: 和暦 (明治〜令和, 元年) and 西暦, with exact era boundaries."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.japanese_text import normalize_input


@dataclass(frozen=True)
class Era:
    key: str  # stable identifier, e.g. for <select> values
    name: str
    letter: str
    start: date  # first day of the era (Gregorian)
    end: date | None  # last day, None for the current era

    @property
    def offset(self) -> int:
        """Gregorian year = offset + era year."""
        return self.start.year - 1


# A local table rather than a library (japanera was considered): five rows that change only
# when a new era begins, and the exact first/last days are what the validation is about, so
# they are best kept visible here and pinned by tests. 明治 officially starts on 1868-01-25
# (慶応4年1月1日, the change applied retroactively), but dates before 明治6年1月1日 were on the
# lunisolar calendar and cannot be computed by adding a year offset, so input before
# GREGORIAN_START is refused.
ERAS: tuple[Era, ...] = (
    Era("meiji", "明治", "M", date(1868, 1, 25), date(1912, 7, 29)),
    Era("taisho", "大正", "T", date(1912, 7, 30), date(1926, 12, 24)),
    Era("showa", "昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("heisei", "平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("reiwa", "令和", "R", date(2019, 5, 1), None),
)
GREGORIAN_START = date(1873, 1, 1)

_ERA_ALIASES: dict[str, Era] = {}
for _era in ERAS:
    for _alias in (_era.key, _era.name, _era.name[0], _era.letter):
        _ERA_ALIASES[_alias.casefold()] = _era
# The one-character era ligatures a Japanese IME offers (㍾㍽㍼㍻㋿).
for _ligature, _era in zip("㍾㍽㍼㍻㋿", ERAS, strict=True):
    _ERA_ALIASES[_ligature] = _era
_LIGATURES = str.maketrans({lig: era.name for lig, era in zip("㍾㍽㍼㍻㋿", ERAS, strict=True)})
_ERA_INDEX = {era.key: index for index, era in enumerate(ERAS)}
_WESTERN_ALIASES = frozenset({"", "西暦", "seireki", "ad", "western", "gregorian"})

_WEEKDAYS = "月火水木金土日"
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_KANJI_DIGITS |= {"八": 8, "九": 9}
_KANJI_NUMBER = re.compile("[〇零一二三四五六七八九十]+")
_KANJI_TENS = re.compile("([一二三四五六七八九]?)十([一二三四五六七八九]?)")

_ERA_PATTERN = "(?P<era>明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr])"
_WEEKDAY_PATTERN = r"(?:\s*[(（]\s*(?P<wd>[月火水木金土日])(?:曜日?)?\s*[)）])?"
_SEP = r"(?:\s*[./-]\s*|\s+)"
_SEPARATED = re.compile(
    rf"(?:{_ERA_PATTERN}\.?\s*(?P<eyear>[0-9]{{1,4}}|元)|(?P<year>[0-9]{{4}}))"
    rf"(?:\s*年\s*|{_SEP})(?P<month>[0-9]{{1,2}})"
    rf"(?:\s*月\s*|{_SEP})(?P<day>[0-9]{{1,2}})(?:\s*日)?"
    rf"{_WEEKDAY_PATTERN}"
)
_COMPACT = re.compile(
    rf"(?:{_ERA_PATTERN}\.?(?P<eyear>[0-9]{{2}})|(?P<year>[0-9]{{4}}))"
    rf"(?P<month>[0-9]{{2}})(?P<day>[0-9]{{2}}){_WEEKDAY_PATTERN}"
)
# Anything longer than this is not a date; refuse it before doing any work on it.
_MAX_INPUT = 200

_FORMAT_HELP = _(
    "日付の形が読み取れません。「令和6年4月1日」「R6.4.1」「2024年4月1日」「2024/4/1」の"
    "いずれかの形で入力してください。"
)


@dataclass(frozen=True)
class WarekiDate:
    era: Era
    year: int
    month: int
    day: int

    @property
    def year_text(self) -> str:
        """The era year as written: 元 for the first year."""
        return "元" if self.year == 1 else str(self.year)

    def __str__(self) -> str:
        return f"{self.era.name}{self.year_text}年{self.month}月{self.day}日"


def era_for(d: date) -> Era:
    """The era `d` falls in; ValueError before GREGORIAN_START."""
    if d < GREGORIAN_START:
        raise ValueError(f"{d} is before the Gregorian calendar was adopted in Japan")
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise AssertionError("unreachable: GREGORIAN_START lies inside 明治")


def to_wareki(d: date) -> WarekiDate:
    era = era_for(d)
    return WarekiDate(era, d.year - era.offset, d.month, d.day)


def format_wareki(d: date, *, with_western_year: bool = False) -> str:
    """令和6年4月1日 (令和元年5月1日 in the first year); 令和6年（2024年）4月1日 if asked."""
    w = to_wareki(d)
    if with_western_year:
        return f"{w.era.name}{w.year_text}年（{d.year}年）{w.month}月{w.day}日"
    return str(w)


def format_western(d: date) -> str:
    """2024年4月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


def _kanji_number_to_digits(match: re.Match[str]) -> str:
    text = match.group(0)
    if "十" not in text:
        return "".join(str(_KANJI_DIGITS[ch]) for ch in text)
    tens = _KANJI_TENS.fullmatch(text)
    if tens is None:
        return text  # e.g. 十十: leave it, the pattern will then not match
    high = _KANJI_DIGITS[tens.group(1)] if tens.group(1) else 1
    low = _KANJI_DIGITS[tens.group(2)] if tens.group(2) else 0
    return str(high * 10 + low)


def _prepare(text: str) -> str:
    s = normalize_input(text)
    s = s.translate(_LIGATURES).removeprefix("西暦").strip()
    if s.isascii():
        return s
    return _KANJI_NUMBER.sub(_kanji_number_to_digits, s)


def _label(era: Era | None, year: int) -> str:
    if era is None:
        return f"{year}年"
    return f"{era.name}{'元' if year == 1 else year}年"


def _era_first_label(era: Era) -> str:
    start = max(era.start, GREGORIAN_START)
    return str(to_wareki(start))


def _build(era: Era | None, year: int, month: int, day: int, weekday: str | None = None) -> date:
    if year < 1:
        raise ValidationError(_("年は1以上の数字で入力してください。"), code="invalid_year")
    if not 1 <= month <= 12:
        raise ValidationError(_("月は1から12までの数字で入力してください。"), code="invalid_month")
    if not 1 <= day <= 31:
        raise ValidationError(_("日は1から31までの数字で入力してください。"), code="invalid_day")
    gregorian_year = year + (era.offset if era else 0)
    if gregorian_year > date.max.year:
        raise ValidationError(_("年が大きすぎます。年を確かめてください。"), code="invalid_year")
    last = calendar.monthrange(gregorian_year, month)[1]
    if day > last:
        raise ValidationError(
            _("%(year)s%(month)d月は%(last)d日までです。日付を確かめてください。"),
            code="nonexistent_date",
            params={"year": _label(era, year), "month": month, "last": last},
        )
    d = date(gregorian_year, month, day)
    if d < GREGORIAN_START:
        raise ValidationError(
            _("明治6年（1873年）1月1日より前の日付には対応していません。"),
            code="before_gregorian",
        )
    if era is not None:
        index = _ERA_INDEX[era.key]
        if d < era.start:
            raise ValidationError(
                _("%(era)sは%(first)sからです。それより前の日付は%(previous)sで入力してください。"),
                code="era_not_started",
                params={
                    "era": era.name,
                    "first": _era_first_label(era),
                    "previous": ERAS[index - 1].name,
                },
            )
        if era.end is not None and d > era.end:
            following = ERAS[index + 1]
            raise ValidationError(
                _("%(era)sは%(last)sまでです。%(next_first)s以降は%(next)sで入力してください。"),
                code="era_ended",
                params={
                    "era": era.name,
                    "last": str(to_wareki(era.end)),
                    "next_first": _era_first_label(following),
                    "next": following.name,
                },
            )
    if weekday is not None and _WEEKDAYS[d.weekday()] != weekday:
        raise ValidationError(
            _("%(date)sは%(weekday)s曜日です。日付か曜日を確かめてください。"),
            code="weekday_mismatch",
            params={
                "date": format_wareki(d) if era else format_western(d),
                "weekday": _WEEKDAYS[d.weekday()],
            },
        )
    return d


def parse_date(text: str) -> date:
    """Parse a date typed by a resident, in 和暦 or 西暦; raise ValidationError if impossible.

    Accepts e.g. 令和6年4月1日, 令和元年5月1日, R6.4.1, H31/4/30, S64-1-7, ㍻31年4月30日,
    平成三十一年四月三十日, 2024-04-01, 2024/4/1, 2024年4月1日, 20240401, R060401, full-width
    digits, spaces, and a trailing weekday such as （月）, which must then be right.
    """
    if len(text) > _MAX_INPUT:
        raise ValidationError(_FORMAT_HELP, code="invalid_format")
    s = _prepare(text)
    if not s:
        raise ValidationError(_("日付を入力してください。"), code="empty")
    match = _SEPARATED.fullmatch(s) or _COMPACT.fullmatch(s)
    if match is None:
        raise ValidationError(_FORMAT_HELP, code="invalid_format")
    month, day = int(match["month"]), int(match["day"])
    if match["era"]:
        era = _ERA_ALIASES[match["era"].casefold()]
        year = 1 if match["eyear"] == "元" else int(match["eyear"])
        return _build(era, year, month, day, match["wd"])
    return _build(None, int(match["year"]), month, day, match["wd"])


def lookup_era(value: str | None) -> Era | None:
    """The era named by `value` (明治, 明, M, meiji, ㍾ …); None for 西暦 or blank.

    Raises ValidationError for anything else.
    """
    key = normalize_input(value or "").casefold()
    if key in _WESTERN_ALIASES:
        return None
    try:
        return _ERA_ALIASES[key]
    except KeyError:
        raise ValidationError(
            _("元号は明治・大正・昭和・平成・令和のいずれかを選んでください。"),
            code="invalid_era",
        ) from None


def _part_number(value: str, suffix: str, *, allow_gannen: bool = False) -> int | None:
    s = _KANJI_NUMBER.sub(_kanji_number_to_digits, normalize_input(value))
    s = s.removesuffix(suffix).strip()
    if allow_gannen and s == "元":
        return 1
    if not s.isascii() or not s.isdigit() or len(s) > 4:
        return None
    return int(s)


def date_from_parts(era: str | None, year: str, month: str, day: str) -> date:
    """Build a date from separate inputs (元号 select + 年 + 月 + 日 boxes).

    `era` is None or blank for 西暦; otherwise an era name, initial or key (see lookup_era).
    """
    if not any(normalize_input(part) for part in (year, month, day)):
        raise ValidationError(_("日付を入力してください。"), code="empty")
    chosen = lookup_era(era)
    y = _part_number(year, "年", allow_gannen=chosen is not None)
    if y is None:
        raise ValidationError(_("年を数字で入力してください。"), code="invalid_year")
    if chosen is None and y < 1000:
        raise ValidationError(
            _(
                "西暦は4桁で入力してください（例：1990）。和暦で入力する場合は元号を選んでください。"
            ),
            code="invalid_year",
        )
    m = _part_number(month, "月")
    if m is None:
        raise ValidationError(_("月は1から12までの数字で入力してください。"), code="invalid_month")
    d = _part_number(day, "日")
    if d is None:
        raise ValidationError(_("日は1から31までの数字で入力してください。"), code="invalid_day")
    return _build(chosen, y, m, d)
