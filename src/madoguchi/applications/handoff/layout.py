"""The column layout shared by the four hand-off methods (documented in docs/handoff.md).

One column per value a core system keys in: compound answers are split into their parts (name →
姓・名・セイ・メイ, address → 都道府県・市区町村・町名番地・建物), repeating groups get
`max_items` numbered copies of their sub-fields. Fields with a `print_order` come first in that
order (the order of the official paper form, which core-system input screens follow), then the
rest in form order. The layout depends only on the form version, so it is stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from madoguchi.procedures.formdef import Field, FormDefinition


@dataclass(frozen=True)
class Column:
    key: str  # e.g. "name.family", "children.0.birth_date" — stable, machine-readable
    header: str  # e.g. "氏名（姓）", "子ども1 生年月日"
    field: Field
    path: tuple[str | int, ...]  # where the value sits in the answers
    part: str = ""

    @property
    def html_id(self) -> str:
        """The element id on the RPA page: mg-f-<key with "." as "__">."""
        return "mg-f-" + self.key.replace(".", "__")


def _label(f: Field) -> str:
    return f.print_label or f.label


def _field_columns(f: Field, prefix: tuple[str | int, ...], header: str) -> list[Column]:
    """One column per part the field's type spreads over (姓・名・セイ・メイ; 都道府県 …)."""
    path = (*prefix, f.key)
    key = ".".join(str(p) for p in path)
    columns = []
    for part in f.kind.column_parts(f):
        if part.part:
            columns.append(
                Column(f"{key}.{part.part}", f"{header}（{part.label}）", f, path, part.part)
            )
        else:
            columns.append(Column(key, header, f, path))
    return columns


def _ordered(fields: Iterable[Field]) -> list[Field]:
    indexed = list(enumerate(fields))
    indexed.sort(key=lambda pair: (pair[1].print_order is None, pair[1].print_order or 0, pair[0]))
    return [f for _i, f in indexed]


def columns_for(definition: FormDefinition) -> list[Column]:
    columns: list[Column] = []
    for f in _ordered(definition.top_fields()):
        if not f.holds_value:
            continue
        if f.kind.repeats:
            for i in range(f.max_items):
                title = (f.item_label or f"{_label(f)}{{n}}").replace("{n}", str(i + 1))
                for sub in _ordered(f.fields):
                    if sub.holds_value:
                        columns += _field_columns(sub, (f.key, i), f"{title} {_label(sub)}")
        else:
            columns += _field_columns(f, (), _label(f))
    return columns


def merged_columns(definitions: Iterable[FormDefinition]) -> list[Column]:
    """Columns of several versions (newest first): the newest layout, then any older extras."""
    seen: set[str] = set()
    result: list[Column] = []
    for definition in definitions:
        for column in columns_for(definition):
            if column.key not in seen:
                seen.add(column.key)
                result.append(column)
    return result


def _raw(column: Column, answers: Mapping[str, Any]) -> Any:
    value: Any = answers
    for step in column.path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
        if value is None:
            return None
    if column.part:
        return value.get(column.part) if isinstance(value, Mapping) else None
    return value


def cell(column: Column, answers: Mapping[str, Any]) -> str:
    """The machine value: ISO dates, option values (codes), 1/0, file names; "" when empty."""
    value = _raw(column, answers)
    if value is None:
        return ""
    return column.field.kind.cell(column.field, value)


def display(column: Column, answers: Mapping[str, Any]) -> str:
    """What a person reads (transcription screen): 和暦, option labels, はい/いいえ."""
    value = _raw(column, answers)
    text = cell(column, answers)
    if value is None or text == "":
        return ""
    return column.field.kind.cell_display(column.field, value, text)
