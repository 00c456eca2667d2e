"""What every print layout works with: the items to print, the document around them, and the
layout Protocol. Layouts exchange these dataclasses, never ORM rows (like intake/parsers/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class PrintItem:
    """One answer as it goes on paper.

    `key` is the field key (coordinate layouts place it by that name); `label` is the field's
    print_label, else its label. `parts` holds the parts of a compound answer (a name's
    family / given / family_kana / given_kana, an address's prefecture / city / street /
    building), `selected` the stored option values of a choice (for marks such as 〇 at a box).
    A repeating group has `columns` (labels), `column_keys` and one tuple of cells per item.
    """

    key: str
    label: str
    value: str
    is_table: bool = False
    parts: dict[str, str] = field(default_factory=dict)
    selected: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    column_keys: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    row_parts: tuple[dict[str, dict[str, str]], ...] = ()


@dataclass(frozen=True)
class PrintDocument:
    """Everything a layout prints: the header facts and the items in print order."""

    municipality: str
    procedure: str
    items: tuple[PrintItem, ...]
    printed_on: date
    receipt_number: str = ""
    submitted_on: date | None = None
    applicant_label: str = "申請者"

    def values(self) -> dict[str, str]:
        """Every printable value by key: "notifier_name", "notifier_name.family",
        "movers.0.name", "movers.0.name.family_kana", and the header facts "_municipality",
        "_procedure", "_receipt_number", "_printed_on", "_submitted_on" (dates in 和暦)."""
        from madoguchi.core.wareki import format_wareki

        values: dict[str, str] = {
            "_municipality": self.municipality,
            "_procedure": self.procedure,
            "_receipt_number": self.receipt_number,
            "_printed_on": format_wareki(self.printed_on),
            "_submitted_on": format_wareki(self.submitted_on) if self.submitted_on else "",
        }
        for item in self.items:
            values[item.key] = item.value
            for part, text in item.parts.items():
                values[f"{item.key}.{part}"] = text
            for i, row in enumerate(item.rows):
                for column, cell in zip(item.column_keys, row, strict=True):
                    values[f"{item.key}.{i}.{column}"] = cell
                if i < len(item.row_parts):
                    for column, parts in item.row_parts[i].items():
                        for part, text in parts.items():
                            values[f"{item.key}.{i}.{column}.{part}"] = text
        return values

    def selections(self) -> dict[str, tuple[str, ...]]:
        return {item.key: item.selected for item in self.items if item.selected}

    def labelled_texts(self) -> list[tuple[str, str]]:
        """(label, text) of everything a layout may draw, for the glyph check."""
        texts = [
            ("自治体名", self.municipality),
            ("手続名", self.procedure),
            ("受付番号", self.receipt_number),
        ]
        for item in self.items:
            texts.append((item.label, item.label))
            texts.append((item.label, item.value))
            texts.extend((item.label, part) for part in item.parts.values())
            texts.extend((f"{item.label}（列名）", column) for column in item.columns)
            for i, row in enumerate(item.rows):
                texts.extend((f"{item.label} {i + 1}件目", cell) for cell in row)
        return texts


class LayoutError(ValueError):
    """A layout definition that cannot be used; the message says what to fix, in Japanese."""


@dataclass(frozen=True)
class LayoutSpec:
    """A procedure's stored layout: its kind and, for a form overlay, the placements and the
    municipality's own PDF."""

    kind: str = "generated"
    placements: Any = None  # the JSON data (checked by the layout)
    base_pdf: bytes | None = None


class PrintLayout(Protocol):
    """A way of putting a PrintDocument on paper; `kind` is the name stored with a procedure."""

    kind: str

    def check(self, spec: LayoutSpec) -> None:
        """Raise LayoutError if the spec cannot be used (called when it is saved)."""
        ...

    def render_document(self, document: PrintDocument, spec: LayoutSpec) -> bytes: ...
