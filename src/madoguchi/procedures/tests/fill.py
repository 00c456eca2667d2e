"""Valid answers for any form definition, in the raw JSON shapes and as POSTed inputs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from madoguchi.core.wareki import format_wareki
from madoguchi.procedures.formdef.definition import Field, FormDefinition, Step, resolve_date_bound
from madoguchi.procedures.formdef.values import FILE_KIND_MIMES

TODAY = date(2025, 6, 16)


def valid_raw(field: Field, *, today: date = TODAY) -> Any:
    """A loosely typed but valid answer (和暦 dates, hiragana kana, full-width digits)."""
    t = field.type
    if t == "name":
        return {"family": "山田", "given": "花子", "family_kana": "やまだ", "given_kana": "ハナコ"}
    if t == "date":
        if field.max_date:
            d = resolve_date_bound(field.max_date, today)
            if field.min_date:
                low = resolve_date_bound(field.min_date, today)
                d = low + (d - low) / 2
        elif field.min_date:
            d = resolve_date_bound(field.min_date, today) + timedelta(days=1)
        else:
            d = date(1990, 4, 1)
        return format_wareki(d)
    if t == "postal_code":
        return "１００－０００１"
    if t == "address":
        return {
            "prefecture": "東京都",
            "city": "千代田区",
            "street": "千代田１－１",
            "building": "",
        }
    if t == "phone":
        return "０９０－１２３４－５６７８"
    if t == "email":
        return "hanako@example.jp"
    if t == "choice":
        return field.options[0].value
    if t == "multi_choice":
        return [field.options[0].value]
    if t == "checkbox":
        return True
    if t == "number":
        return str(field.min_value if field.min_value is not None else 1)
    if t == "text":
        if field.format == "digits":
            return "1" * (field.min_length or 7)
        if field.format == "katakana":
            return "やまだ はなこ"
        return "テスト"
    if t == "long_text":
        return "テスト\n二行目"
    if t == "file":
        mime = sorted(FILE_KIND_MIMES[field.accept[0]])[0]
        return {
            "attachment": "0b7c4e1e-1111-4222-8333-944445555666",
            "name": "scan.pdf",
            "size": 1234,
            "content_type": mime,
        }
    if t == "group":
        count = max(field.min_items, 1)
        return [
            {sub.key: valid_raw(sub, today=today) for sub in field.fields if sub.holds_value}
            for _ in range(count)
        ]
    return None


def valid_answers(definition: FormDefinition, *, today: date = TODAY) -> dict[str, Any]:
    return {f.key: valid_raw(f, today=today) for f in definition.top_fields() if f.holds_value}


def post_data(step: Step, raw: dict[str, Any]) -> dict[str, Any]:
    """The inputs a browser would POST for these raw answers (files excluded)."""
    data: dict[str, Any] = {}

    def put(field: Field, name: str, value: Any) -> None:
        if field.type in ("name", "address"):
            for part, text in value.items():
                data[f"{name}__{part}"] = text
        elif field.type == "multi_choice":
            data[name] = list(value)
        elif field.type == "checkbox":
            if value:
                data[name] = "on"
        elif field.type == "group":
            data[f"{name}__count"] = str(len(value))
            for i, item in enumerate(value):
                for sub in field.fields:
                    if sub.key in item and sub.type != "file":
                        put(sub, f"{name}__{i}__{sub.key}", item[sub.key])
                data[f"{name}__{i}__origin"] = str(i)
        elif field.type != "file" and value is not None:
            data[name] = value

    for field in step.fields:
        if field.key in raw:
            put(field, field.key, raw[field.key])
    return data
