"""Writes for printing: saving a procedure's print layout (checked before it is stored)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction

from madoguchi.core import uploads
from madoguchi.procedures.formdef import FormDefinition, parse_definition
from madoguchi.procedures.models import Procedure

from .models import PrintLayout
from .print import LayoutError, LayoutSpec, layout_for
from .print.overlay import MAX_BASE_BYTES, parse_placements

# Keys every layout may place besides the form's own fields (PrintDocument.values()).
HEADER_KEYS = frozenset(
    {"_municipality", "_procedure", "_receipt_number", "_printed_on", "_submitted_on"}
)


def _field_keys(definition: FormDefinition) -> set[str]:
    return {f.key for f in definition.top_fields()}


def placement_keys_check(*, placements: Any, definition: FormDefinition | None) -> None:
    """Refuse placements naming a field the procedure's form does not have."""
    if definition is None:
        return
    known = _field_keys(definition)
    unknown = sorted(
        {
            p.key
            for p in parse_placements(placements)
            if p.key not in HEADER_KEYS and p.key.split(".")[0] not in known
        }
    )
    if unknown:
        raise LayoutError("様式にない項目が指定されています：" + "、".join(unknown[:10]))


def read_uploaded_pdf(upload: File[Any]) -> bytes:
    try:
        uploads.validate_attachment(upload, allowed={uploads.PDF}, max_bytes=MAX_BASE_BYTES)
    except ValidationError as exc:
        raise LayoutError(" ".join(str(m) for m in exc.messages)) from None
    upload.seek(0)
    return upload.read()


def print_layout_validate(
    *, procedure: Procedure, kind: str, placements: Any, base_pdf: bytes | None
) -> None:
    """Raise LayoutError (Japanese) if this layout cannot print the procedure's form."""
    layout_for(kind).check(LayoutSpec(kind=kind, placements=placements, base_pdf=base_pdf))
    if kind == PrintLayout.Kind.OVERLAY:
        version = procedure.current_version
        definition = parse_definition(version.definition) if version is not None else None
        placement_keys_check(placements=placements, definition=definition)


def stored_base_pdf(layout: PrintLayout | None) -> bytes | None:
    if layout is None or not layout.base_pdf:
        return None
    with layout.base_pdf.open("rb") as handle:
        return handle.read()


@transaction.atomic
def print_layout_save(
    *,
    procedure: Procedure,
    kind: str,
    placements: Any = None,
    base_pdf: File[Any] | None = None,
) -> PrintLayout:
    """Create or replace the procedure's layout; LayoutError (Japanese) when it cannot print.

    An overlay without a new PDF keeps the one stored before."""
    layout = (
        PrintLayout.objects.for_municipality(procedure.municipality)
        .select_for_update()
        .filter(procedure=procedure)
        .first()
    ) or PrintLayout(municipality=procedure.municipality, procedure=procedure)
    pdf_bytes = read_uploaded_pdf(base_pdf) if base_pdf is not None else stored_base_pdf(layout)
    placements = placements if kind == PrintLayout.Kind.OVERLAY else {}
    print_layout_validate(procedure=procedure, kind=kind, placements=placements, base_pdf=pdf_bytes)
    layout.kind = kind
    layout.placements = placements
    if base_pdf is not None and pdf_bytes is not None:
        layout.base_pdf.save("form.pdf", ContentFile(pdf_bytes), save=False)
    layout.full_clean()
    layout.save()
    return layout
