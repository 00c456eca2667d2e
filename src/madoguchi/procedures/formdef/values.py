"""One cleaning rule per field type, shared by the HTML step forms and the JSON validation.

Each cleaner takes a raw value in the JSON shape (strings typed by a person, possibly 和暦,
hiragana, full-width digits) and returns the normalised, JSON-serialisable value, or raises
FieldError with Japanese messages keyed by part ("" for the whole field, or "family_kana",
"prefecture" … for one input of a compound field).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from madoguchi.core import uploads
from madoguchi.core.japanese_text import (
    is_katakana_name,
    normalize_input,
    strip_invisible,
    to_katakana_name,
)
from madoguchi.core.kana import normalize_kana_name
from madoguchi.core.phone import normalize_phone
from madoguchi.core.postal import format_postal_code, normalize_postal_code
from madoguchi.core.wareki import format_wareki, format_western, parse_date

from .definition import Field, resolve_date_bound

PREFECTURES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)

NAME_PARTS = ("family", "given", "family_kana", "given_kana")
ADDRESS_PARTS = ("prefecture", "city", "street", "building")
ATTACHMENT_KEYS = ("attachment", "name", "size", "content_type")

NAME_PART_MAX = 50
ADDRESS_PART_MAX = 100
TEXT_DEFAULT_MAX = 200
LONG_TEXT_DEFAULT_MAX = 2000
EMAIL_MAX = 254
# Anything longer than this is refused before any work is done on it.
RAW_TEXT_LIMIT = 20000

FILE_KIND_MIMES: dict[str, frozenset[str]] = {
    "pdf": frozenset({uploads.PDF}),
    "jpeg": frozenset({uploads.JPEG}),
    "png": frozenset({uploads.PNG}),
    "heic": frozenset({uploads.HEIC, uploads.HEIF}),
    "gif": frozenset({"image/gif"}),
    "webp": frozenset({uploads.WEBP}),
}
FILE_KIND_LABELS = {
    "pdf": "PDF",
    "jpeg": "JPEG",
    "png": "PNG",
    "heic": "HEIC",
    "gif": "GIF",
    "webp": "WebP",
}

_ATTACHMENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
_INTEGER = re.compile(r"-?[0-9]{1,15}")
_NAME_SYMBOLS = frozenset(" ・ー-'.,々〆ヶ")
_email_validator = EmailValidator()


class FieldError(Exception):
    """Messages for one field, keyed by part ("" for the field as a whole)."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {part: list(messages) for part, messages in errors.items()}
        super().__init__(self.errors)

    @classmethod
    def single(cls, message: Any, part: str = "") -> FieldError:
        return cls({part: [str(message)]})


@dataclass(frozen=True)
class PendingUpload:
    """A new upload that passed the checks; the journey stores it and records a reference."""

    name: str
    size: int
    content_type: str


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _text_input(raw: Any, *, multiline: bool = False) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise FieldError.single(_("入力の形式が正しくありません。文字で入力してください。"))
    text = str(raw)
    if len(text) > RAW_TEXT_LIMIT:
        raise FieldError.single(_("入力が長すぎます。内容を短くしてください。"))
    if not multiline:
        return normalize_input(text)
    lines = [normalize_input(line) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


# --- Emptiness -------------------------------------------------------------------------------


def is_empty(field: Field, raw: Any) -> bool:
    """True if nothing was given for the field (before any validation)."""
    if raw is None:
        return True
    if field.type in ("name", "address"):
        if not isinstance(raw, Mapping):
            return False
        parts = NAME_PARTS if field.type == "name" else ADDRESS_PARTS
        return all(_blank(raw.get(p)) for p in parts)
    if field.type == "checkbox":
        # The same reading as clean_checkbox: whatever it would store as false is "not
        # checked", so a required checkbox sent as " " or "FALSE" is refused, not stored false.
        return raw is False or (isinstance(raw, str) and raw.strip().lower() in CHECKBOX_FALSE)
    if field.type in ("multi_choice", "group"):
        return isinstance(raw, (list, tuple)) and len(raw) == 0
    if field.type == "file":
        return isinstance(raw, Mapping) and not raw
    return _blank(raw)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        # What normalize_input would reduce to "": only spaces and invisible characters.
        return not strip_invisible(value[:RAW_TEXT_LIMIT]).split()
    return False


def required_message(field: Field) -> str:
    label = field.label
    if field.type in ("choice", "multi_choice"):
        return str(_("%(label)sを選んでください。") % {"label": label})
    if field.type == "checkbox":
        return str(_("%(label)sを確認して、チェックを入れてください。") % {"label": label})
    if field.type == "file":
        return str(_("%(label)sのファイルを添付してください。") % {"label": label})
    return str(_("%(label)sを入力してください。") % {"label": label})


# --- Cleaners --------------------------------------------------------------------------------


def _clean_name_part(raw: Any, *, part: str) -> str:
    value = _text_input(raw)
    if len(value) > NAME_PART_MAX:
        raise FieldError.single(
            _("%(what)sは%(max)d文字以内で入力してください。")
            % {"what": _part_label(part), "max": NAME_PART_MAX},
            part,
        )
    for ch in value:
        if ch in _NAME_SYMBOLS or unicodedata.category(ch)[0] in "LM":
            continue
        raise FieldError.single(
            _(
                "%(what)sに使えない文字「%(char)s」が含まれています。"
                "住民票に記載されている文字で入力してください。"
            )
            % {"what": _part_label(part), "char": ch if ch.isprintable() else "?"},
            part,
        )
    return value


def _part_label(part: str) -> str:
    """The label of a name or address part, translated only when a message needs it."""
    labels = {
        "family": _("姓"),
        "given": _("名"),
        "family_kana": _("フリガナ（セイ）"),
        "given_kana": _("フリガナ（メイ）"),
        "prefecture": _("都道府県"),
        "city": _("市区町村"),
        "street": _("町名・番地"),
        "building": _("建物名・部屋番号"),
    }
    return str(labels[part])


def clean_name(field: Field, raw: Any, *, today: date) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise FieldError.single(_("氏名の形式が正しくありません。姓と名を分けて入力してください。"))
    errors: dict[str, list[str]] = {}
    value: dict[str, str] = {}
    for part in ("family", "given"):
        try:
            value[part] = _clean_name_part(raw.get(part), part=part)
        except FieldError as exc:
            errors.update(exc.errors)
            continue
        if not value[part]:
            errors[part] = [str(_("%(what)sを入力してください。") % {"what": _part_label(part)})]
    for part in ("family_kana", "given_kana"):
        value[part] = ""
        if field.kana == "none":
            continue
        try:
            text = _text_input(raw.get(part))
        except FieldError as exc:
            errors[part] = exc.errors[""]
            continue
        if not text:
            if field.kana == "required":
                errors[part] = [
                    str(_("%(what)sを入力してください。") % {"what": _part_label(part)})
                ]
            continue
        try:
            value[part] = normalize_kana_name(text)
        except ValidationError as exc:
            errors[part] = _messages(exc)
    if errors:
        raise FieldError(errors)
    return value


def clean_date(field: Field, raw: Any, *, today: date) -> str:
    if isinstance(raw, date):
        d = raw
    else:
        text = _text_input(raw)
        try:
            d = parse_date(text)
        except ValidationError as exc:
            if exc.code == "invalid_format":
                raise FieldError.single(
                    _("%(label)sは「昭和50年4月1日」または「1975年4月1日」の形で入力してください。")
                    % {"label": field.label}
                ) from None
            raise FieldError({"": _messages(exc)}) from None
    message: Any
    if field.max_date:
        latest = resolve_date_bound(field.max_date, today)
        if d > latest:
            if field.max_date == "today":
                message = _("%(label)sに未来の日付は入力できません。日付を確かめてください。")
            else:
                message = _("%(label)sは%(bound)sまでの日付を入力してください。")
            raise FieldError.single(
                message % {"label": field.label, "bound": format_date_display(latest)}
            )
    if field.min_date:
        earliest = resolve_date_bound(field.min_date, today)
        if d < earliest:
            if field.min_date == "today":
                message = _(
                    "%(label)sに過去の日付は入力できません。今日以降の日付を入力してください。"
                )
            else:
                message = _("%(label)sは%(bound)s以降の日付を入力してください。")
            raise FieldError.single(
                message % {"label": field.label, "bound": format_date_display(earliest)}
            )
    return d.isoformat()


def format_date_display(d: date) -> str:
    """令和6年4月1日（2024年4月1日）; only 西暦 before 明治6年."""
    try:
        return f"{format_wareki(d)}（{format_western(d)}）"
    except ValueError:
        return format_western(d)


def clean_postal_code(field: Field, raw: Any, *, today: date) -> str:
    text = _text_input(raw)
    try:
        return normalize_postal_code(text)
    except ValidationError as exc:
        raise FieldError({"": _messages(exc)}) from None


def clean_address(field: Field, raw: Any, *, today: date) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise FieldError.single(_("住所の形式が正しくありません。"))
    errors: dict[str, list[str]] = {}
    value: dict[str, str] = {}
    for part in ADDRESS_PARTS:
        try:
            text = _text_input(raw.get(part))
        except FieldError as exc:
            errors[part] = exc.errors[""]
            continue
        if len(text) > ADDRESS_PART_MAX:
            errors[part] = [
                str(
                    _("%(what)sは%(max)d文字以内で入力してください。")
                    % {"what": _part_label(part), "max": ADDRESS_PART_MAX}
                )
            ]
            continue
        value[part] = text
        if not text and part != "building":
            if part == "prefecture":
                errors[part] = [str(_("都道府県を選んでください。"))]
            else:
                errors[part] = [
                    str(_("%(what)sを入力してください。") % {"what": _part_label(part)})
                ]
    prefecture = value.get("prefecture", "")
    if prefecture and prefecture not in PREFECTURES:
        errors["prefecture"] = [str(_("都道府県を一覧から選んでください。"))]
    if errors:
        raise FieldError(errors)
    return value


def clean_phone(field: Field, raw: Any, *, today: date) -> str:
    text = _text_input(raw)
    try:
        return normalize_phone(text)
    except ValidationError as exc:
        raise FieldError({"": _messages(exc)}) from None


def clean_email(field: Field, raw: Any, *, today: date) -> str:
    text = _text_input(raw).replace(" ", "")
    local, at, domain = text.rpartition("@")
    text = f"{local}{at}{domain.lower()}" if at else text
    try:
        if len(text) > EMAIL_MAX:
            raise ValidationError("too long")
        _email_validator(text)
    except ValidationError:
        raise FieldError.single(
            _("メールアドレスを「example@example.jp」のような形で入力してください。")
        ) from None
    return text


def clean_choice(field: Field, raw: Any, *, today: date) -> str:
    value = raw.strip() if isinstance(raw, str) else raw
    if not isinstance(value, str) or value not in {o.value for o in field.options}:
        raise FieldError.single(
            _("%(label)sは選択肢の中から選んでください。") % {"label": field.label}
        )
    return value


def clean_multi_choice(field: Field, raw: Any, *, today: date) -> list[str]:
    chosen = [raw] if isinstance(raw, str) else raw
    if not isinstance(chosen, (list, tuple)) or not all(isinstance(v, str) for v in chosen):
        raise FieldError.single(
            _("%(label)sは選択肢の中から選んでください。") % {"label": field.label}
        )
    known = [o.value for o in field.options]
    if any(v not in known for v in chosen):
        raise FieldError.single(
            _("%(label)sは選択肢の中から選んでください。") % {"label": field.label}
        )
    value = [v for v in known if v in chosen]
    if field.min_selected is not None and len(value) < field.min_selected:
        raise FieldError.single(
            _("%(label)sは%(min)d個以上選んでください。")
            % {"label": field.label, "min": field.min_selected}
        )
    if field.max_selected is not None and len(value) > field.max_selected:
        raise FieldError.single(
            _("%(label)sは%(max)d個まで選べます。")
            % {"label": field.label, "max": field.max_selected}
        )
    return value


CHECKBOX_TRUE = frozenset({"on", "true", "1", "yes"})
CHECKBOX_FALSE = frozenset({"", "off", "false", "0", "no"})


def clean_checkbox(field: Field, raw: Any, *, today: date) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in CHECKBOX_TRUE | CHECKBOX_FALSE:
        return raw.strip().lower() in CHECKBOX_TRUE
    raise FieldError.single(_("%(label)sの値が正しくありません。") % {"label": field.label})


def clean_number(field: Field, raw: Any, *, today: date) -> int:
    if isinstance(raw, bool):
        raise FieldError.single(_("%(label)sは数字で入力してください。") % {"label": field.label})
    if isinstance(raw, int):
        number = raw
    else:
        text = _text_input(raw).replace(",", "").replace(" ", "")
        if text.endswith(field.unit) and field.unit:
            text = text.removesuffix(field.unit)
        if not _INTEGER.fullmatch(text):
            raise FieldError.single(
                _("%(label)sは数字（整数）で入力してください。") % {"label": field.label}
            )
        number = int(text)
    low, high = field.min_value, field.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        params = {"label": field.label, "min": low, "max": high, "unit": field.unit}
        if low is not None and high is not None:
            message = _(
                "%(label)sは%(min)d%(unit)sから%(max)d%(unit)sまでの数字で入力してください。"
            )
        elif low is not None:
            message = _("%(label)sは%(min)d%(unit)s以上の数字で入力してください。")
        else:
            message = _("%(label)sは%(max)d%(unit)s以下の数字で入力してください。")
        raise FieldError.single(message % params)
    return number


def _check_length(field: Field, text: str, default_max: int) -> None:
    maximum = field.max_length or default_max
    if len(text) > maximum:
        raise FieldError.single(
            _("%(label)sは%(max)d文字以内で入力してください（いまは%(count)d文字です）。")
            % {"label": field.label, "max": maximum, "count": len(text)}
        )
    if field.min_length and len(text) < field.min_length:
        raise FieldError.single(
            _("%(label)sは%(min)d文字以上で入力してください。")
            % {"label": field.label, "min": field.min_length}
        )


def clean_text(field: Field, raw: Any, *, today: date) -> str:
    text = _text_input(raw)
    if field.format == "digits":
        text = text.replace(" ", "").replace("-", "")
        if not (text.isascii() and text.isdigit()):
            raise FieldError.single(
                _("%(label)sは数字だけで入力してください。") % {"label": field.label}
            )
    elif field.format == "katakana":
        text = to_katakana_name(text)
        if not is_katakana_name(text):
            raise FieldError.single(
                _("%(label)sはカタカナで入力してください。") % {"label": field.label}
            )
    elif field.format == "alphanumeric":
        text = text.replace(" ", "").upper()
        if not (text.isascii() and text.isalnum()):
            raise FieldError.single(
                _("%(label)sは半角の英字と数字で入力してください。") % {"label": field.label}
            )
    _check_length(field, text, TEXT_DEFAULT_MAX)
    return text


def clean_long_text(field: Field, raw: Any, *, today: date) -> str:
    text = _text_input(raw, multiline=True)
    _check_length(field, text, LONG_TEXT_DEFAULT_MAX)
    return text


def accepted_mimes(field: Field) -> frozenset[str]:
    return frozenset().union(*(FILE_KIND_MIMES[kind] for kind in field.accept))


def accepted_labels(field: Field) -> str:
    return "・".join(FILE_KIND_LABELS[kind] for kind in field.accept)


def clean_file(field: Field, raw: Any, *, today: date) -> dict[str, Any] | PendingUpload:
    """A file answer is a reference to a stored attachment (or, in a step form, a new upload)."""
    if isinstance(raw, PendingUpload):
        return raw
    bad = FieldError.single(
        _("%(label)sの添付ファイルが確認できません。もう一度ファイルを添付してください。")
        % {"label": field.label}
    )
    if not isinstance(raw, Mapping):
        raise bad
    attachment, name, size, content_type = (raw.get(k) for k in ATTACHMENT_KEYS)
    if not (
        isinstance(attachment, str)
        and _ATTACHMENT_ID.fullmatch(attachment)
        and isinstance(name, str)
        and isinstance(size, int)
        and not isinstance(size, bool)
        and size >= 0
        and isinstance(content_type, str)
    ):
        raise bad
    if content_type not in accepted_mimes(field):
        raise FieldError.single(
            _("%(label)sに添付できるのは%(allowed)sのファイルです。")
            % {"label": field.label, "allowed": accepted_labels(field)}
        )
    return {
        "attachment": attachment,
        "name": uploads.display_filename(name),
        "size": size,
        "content_type": content_type,
    }


def check_upload(field: Field, uploaded: Any, *, max_bytes: int) -> PendingUpload:
    """Validate a new upload (real type sniffed from the content, size) for a file field."""
    try:
        sniffed = uploads.validate_attachment(
            uploaded, allowed=accepted_mimes(field), max_bytes=field.max_bytes or max_bytes
        )
    except ValidationError as exc:
        raise FieldError({"": _messages(exc)}) from None
    return PendingUpload(
        name=uploads.display_filename(uploaded.name),
        size=int(uploaded.size or 0),
        content_type=sniffed.mime,
    )


CLEANERS: dict[str, Callable[..., Any]] = {
    "name": clean_name,
    "date": clean_date,
    "postal_code": clean_postal_code,
    "address": clean_address,
    "phone": clean_phone,
    "email": clean_email,
    "choice": clean_choice,
    "multi_choice": clean_multi_choice,
    "checkbox": clean_checkbox,
    "number": clean_number,
    "text": clean_text,
    "long_text": clean_long_text,
    "file": clean_file,
}


def clean_value(field: Field, raw: Any, *, today: date) -> Any:
    """Normalise one non-empty answer; raise FieldError. Groups are handled by the validator."""
    return CLEANERS[field.type](field, raw, today=today)


def postal_display(code: str) -> str:
    return f"〒{format_postal_code(code)}" if len(code) == 7 else code
