"""The one seam between the form engine and printing: `print_items`.

Which fields go on paper, in which order and under which label is the form engine's rule
(`formdef.printed_fields`); how an answer is written on paper is its field type's
(`print_value`, one class per type in procedures/formdef/fields/). This module only shapes the
result for layouts: compound parts for coordinate placement, selected options for marks, and a
repeating group as a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from madoguchi.procedures.formdef import FormDefinition, print_value
from madoguchi.procedures.formdef.summary import (
    PrintedField,
    printed_fields,
    printed_group_columns,
    printed_subfields,
)

from .base import PrintItem


def _parts(raw: Any) -> dict[str, str]:
    """The text parts of a compound answer (name, address); {} for anything else."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, str)}


def _selected(raw: Any) -> tuple[str, ...]:
    """Stored option values, for marks such as 〇 at a box (a coordinate layout names the option)."""
    if isinstance(raw, bool):
        return ("true",) if raw else ("false",)
    if isinstance(raw, str) and raw:
        return (raw,)
    if isinstance(raw, list):
        return tuple(v for v in raw if isinstance(v, str))
    return ()


def _label(printed_label: str, label: str) -> str:
    return printed_label or label


def _table(printed: PrintedField) -> PrintItem:
    f = printed.field
    columns = printed_group_columns(printed)
    rows: list[tuple[str, ...]] = []
    row_parts: list[dict[str, dict[str, str]]] = []
    for item in printed.value if isinstance(printed.value, list) else []:
        item_map = item if isinstance(item, Mapping) else {}
        shown = {sub.key for sub in printed_subfields(printed, item_map)}
        rows.append(
            tuple(
                print_value(sub, item_map.get(sub.key)) if sub.key in shown else ""
                for sub in columns
            )
        )
        row_parts.append(
            {
                sub.key: _parts(item_map.get(sub.key))
                for sub in columns
                if sub.key in shown and _parts(item_map.get(sub.key))
            }
        )
    return PrintItem(
        key=f.key,
        label=_label(f.print_label, f.label),
        value="",
        is_table=True,
        columns=tuple(_label(s.print_label, s.label) for s in columns),
        column_keys=tuple(s.key for s in columns),
        rows=tuple(rows),
        row_parts=tuple(row_parts),
    )


def print_items(definition: FormDefinition, answers: Mapping[str, Any]) -> list[PrintItem]:
    """The answers as printable items, in print order (print_order, then the form's order),
    labelled by print_label (else label); repeating groups as tables."""
    items: list[PrintItem] = []
    for printed in printed_fields(definition, answers):
        f = printed.field
        if f.kind.repeats:
            items.append(_table(printed))
            continue
        items.append(
            PrintItem(
                key=f.key,
                label=_label(f.print_label, f.label),
                value=print_value(f, printed.value),
                parts=_parts(printed.value),
                selected=_selected(printed.value),
            )
        )
    return items
