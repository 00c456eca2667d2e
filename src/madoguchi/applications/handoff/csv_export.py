"""Bulk CSV files for core systems: UTF-8 with BOM (Excel) or Shift_JIS (cp932).

Rows are streamed from the database in chunks, so memory stays flat however many applications
a file holds (bench/export.py measures it). cp932 cannot hold every character residents type
(𠮷, 髙 in some fonts' variants, emoji…): such characters are reported with where they are,
never silently replaced; on request they become 〓 (the geta mark Japanese systems use for a
missing character) and the report lists each place.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core import csv as core_csv
from madoguchi.core import jis
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.procedures.selectors import form_version_definition

from ..models import Application
from .layout import Column, cell, merged_columns
from .models import ExportRun

CHUNK = 1000

FIXED_HEADERS = (
    _("受付番号"),
    _("手続"),
    _("様式の版"),
    _("受付経路"),
    _("状態"),
    _("申請日時"),
    _("申請者氏名"),
    _("申請者氏名カナ"),
)
# After the form's columns, so the form's columns keep their places in older layouts.
PAYMENT_HEADERS = (_("手数料（円）"), _("支払状況"))


@dataclass(frozen=True)
class Unrepresentable:
    receipt_number: str
    column: str
    char: str
    kind: jis.Kind = jis.Kind.OUTSIDE

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"


def _columns(applications: QuerySet[Application]) -> list[Column]:
    version_ids = applications.order_by().values_list("form_version_id", flat=True).distinct()
    versions = FormVersion.objects.filter(pk__in=list(version_ids)).order_by("-number")
    return merged_columns(form_version_definition(form_version=v) for v in versions)


def _rows(
    applications: QuerySet[Application], columns: list[Column]
) -> Iterator[tuple[str, list[str]]]:
    # Looked up once: loading each row's form version would decode its definition every time.
    numbers = dict(
        FormVersion.objects.filter(
            pk__in=applications.order_by().values("form_version_id")
        ).values_list("pk", "number")
    )
    slugs = dict(
        Procedure.objects.filter(pk__in=applications.order_by().values("procedure_id")).values_list(
            "pk", "slug"
        )
    )
    rows = (
        applications.order_by("submitted_at", "pk")
        .values_list(
            "receipt_number",
            "procedure_id",
            "form_version_id",
            "channel",
            "status",
            "submitted_at",
            "applicant_name",
            "applicant_kana",
            "answers",
            "payment__amount",
            "payment__status",
        )
        .iterator(chunk_size=CHUNK)
    )
    tz = timezone.get_current_timezone()
    for (
        receipt,
        procedure_id,
        version_id,
        channel,
        status,
        submitted,
        name,
        kana,
        answers,
        fee,
        paid,
    ) in rows:
        fixed = [
            receipt,
            slugs[procedure_id],
            str(numbers[version_id]),
            channel,
            status,
            submitted.astimezone(tz).isoformat(timespec="seconds"),
            name,
            kana,
        ]
        payment = ["" if fee is None else str(fee), paid or ""]
        yield receipt, fixed + [cell(c, answers) for c in columns] + payment


def headers(columns: list[Column]) -> list[str]:
    return (
        [str(h) for h in FIXED_HEADERS]
        + [c.header for c in columns]
        + [str(h) for h in PAYMENT_HEADERS]
    )


def find_unrepresentable(
    applications: QuerySet[Application],
    *,
    limit: int = 500,
    kinds: frozenset[jis.Kind] = frozenset({jis.Kind.OUTSIDE}),
) -> list[Unrepresentable]:
    """Characters a Shift_JIS core system may not hold, with application and column (up to
    `limit`): by default those cp932 cannot hold at all; `kinds` adds the cp932 extensions and
    private-use characters outside JIS X 0208 (core.jis), which are written but reported."""
    columns = _columns(applications)
    names = headers(columns)
    found: list[Unrepresentable] = []
    for receipt, values in _rows(applications, columns):
        for name, value in zip(names, values, strict=True):
            for gaiji in core_csv.shift_jis_gaiji(value):
                if gaiji.kind in kinds:
                    found.append(Unrepresentable(receipt, name, gaiji.char, gaiji.kind))
                    if len(found) >= limit:
                        return found
    return found


def stream(run: ExportRun, *, chunk_rows: int = 200) -> Iterator[bytes]:
    """The file of an export run, as encoded chunks (header first)."""
    applications = Application.objects.filter(export_run=run, municipality_id=run.municipality_id)
    columns = _columns(applications)
    cp932 = run.encoding == ExportRun.Encoding.CP932
    encoder = codecs.getincrementalencoder("cp932" if cp932 else "utf-8-sig")(
        core_csv.GETA_ERRORS if run.substitute else "strict"
    )
    buffer = io.StringIO()
    writer = core_csv.writer(buffer)  # every cell, headers included, Excel-safe

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if cp932:
            text = text.translate(core_csv.CP932_EQUIVALENTS)
        return encoder.encode(text)

    writer.writerow(headers(columns))
    pending = 0
    for _receipt, values in _rows(applications, columns):
        writer.writerow(values)
        pending += 1
        if pending >= chunk_rows:
            yield flush()
            pending = 0
    yield flush() + encoder.encode("", final=True)


def filename(run: ExportRun) -> str:
    stamp = timezone.localtime(run.at).strftime("%Y%m%d-%H%M%S")
    suffix = "sjis" if run.encoding == ExportRun.Encoding.CP932 else "utf8"
    return f"{run.procedure.slug}-{stamp}-{suffix}.csv"


@dataclass(frozen=True)
class ExportStanding:
    """Where one procedure's bulk export stands: what "only new" would take now."""

    procedure_id: int
    procedure_name: str
    last_at: datetime | None
    last_count: int
    new_count: int


def export_standings(
    *, procedures: QuerySet[Any], applications: QuerySet[Application]
) -> list[ExportStanding]:
    """Per procedure: the last export and how many applications it has not taken yet."""
    last: dict[int, ExportRun] = {}
    for run in ExportRun.objects.filter(procedure__in=procedures).order_by("procedure_id", "-at"):
        last.setdefault(run.procedure_id, run)
    waiting = dict(
        export_candidates(applications=applications, only_new=True)
        .order_by()
        .values_list("procedure_id")
        .annotate(n=Count("pk"))
        .values_list("procedure_id", "n")
    )
    return [
        ExportStanding(
            procedure_id=pk,
            procedure_name=name,
            last_at=last[pk].at if pk in last else None,
            last_count=last[pk].count if pk in last else 0,
            new_count=waiting.get(pk, 0),
        )
        for pk, name in procedures.values_list("pk", "name")
    ]


def export_candidates(*, applications: QuerySet[Application], only_new: bool) -> Any:
    qs = applications.filter(purged_at__isnull=True)
    return qs.filter(export_run__isnull=True) if only_new else qs
