"""全国地方公共団体コード: 6 digits = prefecture (2) + municipality (3) + check digit (1)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.japanese_text import normalize_input

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(five: str) -> int:
    """The check digit (検査数字) of a 5-digit code.

    総務省's rule: multiply the digits by 6, 5, 4, 3, 2, divide the sum by 11, and take the last
    digit of (11 − remainder): a remainder of 0 gives 1 and a remainder of 1 gives 0 (e.g.
    新宿区 13104 → 131041, 神戸市 28100 → 281000).
    """
    if len(five) != 5 or not five.isascii() or not five.isdigit():
        raise ValueError(f"expected 5 ASCII digits, got {five!r}")
    remainder = sum(int(d) * w for d, w in zip(five, _WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 10


def with_check_digit(five: str) -> str:
    """13101 → 131016."""
    return f"{five}{check_digit(five)}"


@dataclass(frozen=True)
class Prefecture:
    code: str  # JIS X 0401, 2 digits
    name: str
    kana: str
    municipality_code: str  # the prefecture's own 6-digit 全国地方公共団体コード, e.g. 130001


_PREFECTURE_ROWS = (
    ("01", "北海道", "ホッカイドウ"),
    ("02", "青森県", "アオモリケン"),
    ("03", "岩手県", "イワテケン"),
    ("04", "宮城県", "ミヤギケン"),
    ("05", "秋田県", "アキタケン"),
    ("06", "山形県", "ヤマガタケン"),
    ("07", "福島県", "フクシマケン"),
    ("08", "茨城県", "イバラキケン"),
    ("09", "栃木県", "トチギケン"),
    ("10", "群馬県", "グンマケン"),
    ("11", "埼玉県", "サイタマケン"),
    ("12", "千葉県", "チバケン"),
    ("13", "東京都", "トウキョウト"),
    ("14", "神奈川県", "カナガワケン"),
    ("15", "新潟県", "ニイガタケン"),
    ("16", "富山県", "トヤマケン"),
    ("17", "石川県", "イシカワケン"),
    ("18", "福井県", "フクイケン"),
    ("19", "山梨県", "ヤマナシケン"),
    ("20", "長野県", "ナガノケン"),
    ("21", "岐阜県", "ギフケン"),
    ("22", "静岡県", "シズオカケン"),
    ("23", "愛知県", "アイチケン"),
    ("24", "三重県", "ミエケン"),
    ("25", "滋賀県", "シガケン"),
    ("26", "京都府", "キョウトフ"),
    ("27", "大阪府", "オオサカフ"),
    ("28", "兵庫県", "ヒョウゴケン"),
    ("29", "奈良県", "ナラケン"),
    ("30", "和歌山県", "ワカヤマケン"),
    ("31", "鳥取県", "トットリケン"),
    ("32", "島根県", "シマネケン"),
    ("33", "岡山県", "オカヤマケン"),
    ("34", "広島県", "ヒロシマケン"),
    ("35", "山口県", "ヤマグチケン"),
    ("36", "徳島県", "トクシマケン"),
    ("37", "香川県", "カガワケン"),
    ("38", "愛媛県", "エヒメケン"),
    ("39", "高知県", "コウチケン"),
    ("40", "福岡県", "フクオカケン"),
    ("41", "佐賀県", "サガケン"),
    ("42", "長崎県", "ナガサキケン"),
    ("43", "熊本県", "クマモトケン"),
    ("44", "大分県", "オオイタケン"),
    ("45", "宮崎県", "ミヤザキケン"),
    ("46", "鹿児島県", "カゴシマケン"),
    ("47", "沖縄県", "オキナワケン"),
)

PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(code, name, kana, with_check_digit(f"{code}000"))
    for code, name, kana in _PREFECTURE_ROWS
)
PREFECTURES_BY_CODE: dict[str, Prefecture] = {p.code: p for p in PREFECTURES}


def validate_municipality_code(code: str) -> str:
    """Return the 6-digit code (full-width digits and spaces tolerated) or raise ValidationError."""
    s = normalize_input(code).replace(" ", "").replace("-", "")
    if len(s) != 6 or not s.isascii() or not s.isdigit():
        raise ValidationError(
            _("地方公共団体コードは6桁の数字で入力してください（例：131016）。"),
            code="invalid_format",
        )
    if s[:2] not in PREFECTURES_BY_CODE:
        raise ValidationError(
            _(
                "地方公共団体コードの最初の2桁は都道府県の番号（01〜47）です。番号を確かめてください。"
            ),
            code="invalid_prefecture",
        )
    if int(s[5]) != check_digit(s[:5]):
        raise ValidationError(
            _("地方公共団体コードの最後の桁（検査数字）が合いません。番号を確かめてください。"),
            code="invalid_check_digit",
        )
    return s


def prefecture_of(code: str) -> Prefecture:
    """The prefecture a valid 5- or 6-digit code belongs to; KeyError if none."""
    return PREFECTURES_BY_CODE[code[:2]]
