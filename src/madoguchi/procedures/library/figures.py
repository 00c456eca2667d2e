"""The standard library's figures: procedures, fields, and how many fields the counter gets
without the resident writing them — from the My Number card (`"card"` on a field, read by
the field type's `fill_from_card`) or from a pre-input made at home (docs/preinput.md).

A field counts once, wherever it is (a group's sub-field counts once, not per item). Only fields
that hold an answer count (not notices). A pre-input carries every answer a resident can give
online except files (files cannot travel in a QR code: the resident brings the documents).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from madoguchi.procedures.formdef import parse_definition
from madoguchi.procedures.formdef.definition import Field, FormDefinition

from . import load_library


@dataclass(frozen=True)
class ProcedureFigures:
    slug: str
    standard_code: str
    fields: int
    card: int  # filled from the My Number card at the counter
    preinput: int  # carried by a pre-input made at home
    either: int  # by the card or a pre-input

    @property
    def staff_typed(self) -> int:
        """Fields staff still type when the resident brings neither."""
        return self.fields - self.either


@dataclass(frozen=True)
class LibraryFigures:
    procedures: tuple[ProcedureFigures, ...]

    def _sum(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.procedures)

    @property
    def count(self) -> int:
        return len(self.procedures)

    @property
    def fields(self) -> int:
        return self._sum("fields")

    @property
    def card(self) -> int:
        return self._sum("card")

    @property
    def preinput(self) -> int:
        return self._sum("preinput")

    @property
    def either(self) -> int:
        return self._sum("either")

    def share(self, part: int) -> float:
        return part / self.fields if self.fields else 0.0


def _answer_fields(definition: FormDefinition) -> Iterator[Field]:
    for field in definition.top_fields():
        if field.holds_value:
            yield field
        for sub in field.fields:
            if sub.holds_value:
                yield sub


def _carried_by_preinput(field: Field) -> bool:
    return "online" in field.channels and field.kind.travels_in_preinput


def procedure_figures(entry: Mapping[str, Any]) -> ProcedureFigures:
    definition = parse_definition(entry["form"])
    fields = list(_answer_fields(definition))
    card = {id(f) for f in fields if f.card}
    preinput = {id(f) for f in fields if _carried_by_preinput(f)}
    return ProcedureFigures(
        slug=str(entry["slug"]),
        standard_code=str(entry.get("standard_code", "")),
        fields=len(fields),
        card=len(card),
        preinput=len(preinput),
        either=len(card | preinput),
    )


def library_figures(entries: Iterable[Mapping[str, Any]] | None = None) -> LibraryFigures:
    """Figures of the given entries (default: the standard library shipped with Madoguchi)."""
    chosen = load_library() if entries is None else entries
    return LibraryFigures(tuple(procedure_figures(e) for e in chosen if e.get("form") is not None))
