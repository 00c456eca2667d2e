"""The one seam between the form engine and printing: `print_items`.

Everything a layout prints comes from here, so when field behaviour moves into the field-type
registry (procedures/formdef/fields/, one class per type with a `print_value`), this is the
only function to point at it. Until then it uses the engine's display functions
(`summarize`, which applies the "print" channel and hides unanswered branches, and the display
value of each answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from madoguchi.procedures.formdef import Field, FormDefinition, get_answer, summarize
from madoguchi.procedures.formdef.summary import SummaryRow

from .base import PrintItem

CHANNEL = "print"
_LAST = 10**9


def _print_sort_key(f: Field, index: int) -> tuple[int, int, int]:
    # Fields with a print_order come first in that order; the others keep the form's order.
    return (0, f.print_order, index) if f.print_order is not None else (1, 0, index)


def _empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or raw == {}


def _parts(raw: Any) -> dict[str, str]:
    """The text parts of a compound answer (name, address); {} for anything else."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, str)}


def _selected(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, bool):
        return ("true",) if raw else ("false",)
    if isinstance(raw, str) and raw:
        return (raw,)
    if isinstance(raw, list):
        return tuple(v for v in raw if isinstance(v, str))
    return ()


def _label(f: Field) -> str:
    return f.print_label or f.label


def _value(row: SummaryRow, raw: Any) -> str:
    # On paper an unanswered field is a blank, not "（未入力）".
    return "" if _empty(raw) and row.type != "checkbox" else row.value


def print_items(definition: FormDefinition, answers: Mapping[str, Any]) -> list[PrintItem]:
    """The answers as printable items, in print order (print_order, then the form's order),
    labelled by print_label (else label); repeating groups as tables."""
    kept_rows: dict[str, SummaryRow] = {
        row.path: row
        for section in summarize(definition, answers, channel=CHANNEL)
        for row in section.rows
    }
    fields = [f for f in definition.top_fields() if f.key in kept_rows]
    ordered = sorted(enumerate(fields), key=lambda pair: _print_sort_key(pair[1], pair[0]))
    items: list[PrintItem] = []
    for _, f in ordered:
        row = kept_rows[f.key]
        raw = get_answer(answers, f.key)
        if f.type != "group":
            items.append(
                PrintItem(
                    key=f.key,
                    label=_label(f),
                    value=_value(row, raw),
                    type=f.type,
                    parts=_parts(raw),
                    selected=_selected(raw)
                    if f.type in ("choice", "multi_choice", "checkbox")
                    else (),
                )
            )
            continue
        subfields = [
            sub
            for _, sub in sorted(
                enumerate(s for s in f.fields if s.holds_value and CHANNEL in s.channels),
                key=lambda pair: _print_sort_key(pair[1], pair[0]),
            )
        ]
        rows: list[tuple[str, ...]] = []
        row_parts: list[dict[str, dict[str, str]]] = []
        for i, item in enumerate(row.items):
            cells = {r.path.rsplit(".", 1)[-1]: r for r in item.rows}
            texts: list[str] = []
            parts: dict[str, dict[str, str]] = {}
            for sub in subfields:
                cell = cells.get(sub.key)
                sub_raw = get_answer(answers, f"{f.key}.{i}.{sub.key}")
                texts.append("" if cell is None else _value(cell, sub_raw))
                if cell is not None and _parts(sub_raw):
                    parts[sub.key] = _parts(sub_raw)
            rows.append(tuple(texts))
            row_parts.append(parts)
        items.append(
            PrintItem(
                key=f.key,
                label=_label(f),
                value=row.value,
                type="group",
                columns=tuple(_label(s) for s in subfields),
                column_keys=tuple(s.key for s in subfields),
                rows=tuple(rows),
                row_parts=tuple(row_parts),
            )
        )
    return items
