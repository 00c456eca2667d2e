"""Official forms as PDF: the print-layout registry and the rendering entry point.

    from madoguchi.counter.print import render_pdf, print_document
    pdf = render_pdf(print_document(...), LayoutSpec())          # generated A4 layout
    pdf = render_pdf(document, LayoutSpec("overlay", placements, base_pdf))

Layouts are registered by kind (like intake/parsers/); a new kind implements `PrintLayout`
and calls `register`. docs/official-forms.md describes both kinds and the fonts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from madoguchi.procedures.formdef import FormDefinition

from .base import LayoutError, LayoutSpec, PrintDocument, PrintItem, PrintLayout
from .fonts import FontsMissing, MissingGlyph, MissingGlyphs
from .generated import GeneratedLayout
from .items import print_items
from .overlay import OverlayLayout

_REGISTRY: dict[str, PrintLayout] = {}


def register(layout: PrintLayout) -> None:
    _REGISTRY[layout.kind] = layout


def layout_for(kind: str) -> PrintLayout:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LayoutError(f"印刷様式の種類「{kind}」はありません。") from None


def layout_kinds() -> list[str]:
    return sorted(_REGISTRY)


def print_document(
    *,
    definition: FormDefinition,
    answers: Mapping[str, Any],
    municipality: str,
    procedure: str,
    printed_on: date,
    receipt_number: str = "",
    submitted_on: date | None = None,
) -> PrintDocument:
    return PrintDocument(
        applicant_label=_applicant_label(definition),
        municipality=municipality,
        procedure=procedure,
        items=tuple(print_items(definition, answers)),
        printed_on=printed_on,
        receipt_number=receipt_number,
        submitted_on=submitted_on,
    )


def _applicant_label(definition: FormDefinition) -> str:
    """届出人 on a notification (届) whose applicant field says so, else 申請者."""
    name = definition.field_by_role("applicant_name")
    label = (name.print_label or name.label) if name is not None else ""
    return "届出人" if label.startswith("届出") else "申請者"


def render_pdf(document: PrintDocument, spec: LayoutSpec | None = None) -> bytes:
    """The PDF bytes; raises MissingGlyphs (characters no font has), FontsMissing or LayoutError."""
    spec = spec or LayoutSpec()
    return layout_for(spec.kind).render_document(document, spec)


register(GeneratedLayout())
register(OverlayLayout())

__all__ = [
    "FontsMissing",
    "LayoutError",
    "LayoutSpec",
    "MissingGlyph",
    "MissingGlyphs",
    "PrintDocument",
    "PrintItem",
    "PrintLayout",
    "layout_for",
    "layout_kinds",
    "print_document",
    "print_items",
    "register",
    "render_pdf",
]
