"""CSV import and export of a municipality's FAQ (UTF-8 or Shift_JIS), columns in docs/faq.md.

Import is all or nothing: every row is checked first and, if any is bad, the errors are reported
(row number, column, what to fix) and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from madoguchi.core import csv as core_csv
from madoguchi.core.csv import ImportResult, RowError
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality

from . import services
from .models import CATEGORY_MAX, QUESTION_MAX, FaqEntry, Status

COLUMNS = (
    "id",
    "question",
    "answer",
    "category",
    "alt_questions",
    "keywords",
    "related_procedures",
    "contact",
    "status",
    "last_reviewed",
    "question_en",
    "answer_en",
    "category_en",
    "contact_en",
)
REQUIRED_COLUMNS = ("question", "answer")
MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024

STATUS_NAMES = {
    "": Status.DRAFT,
    "draft": Status.DRAFT,
    "下書き": Status.DRAFT,
    "published": Status.PUBLISHED,
    "公開": Status.PUBLISHED,
    "archived": Status.ARCHIVED,
    "非公開": Status.ARCHIVED,
}


decode = core_csv.decode


def _split_list(value: str) -> list[str]:
    return [v for v in re.split(r"[\s|,、]+", value) if v]


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    return dt.datetime.strptime(value.replace("/", "-"), "%Y-%m-%d").date()


@dataclass
class _Row:
    line: int
    entry: FaqEntry | None
    fields: dict[str, Any]
    procedures: list[Procedure]


def _parse(municipality: Municipality, text: str) -> tuple[list[_Row], list[RowError]]:
    reader, errors = core_csv.read_header(
        text, columns=COLUMNS, required=REQUIRED_COLUMNS, docs="docs/faq.md"
    )
    if errors:
        return [], errors
    header = list(reader.fieldnames or [])
    entries = {str(e.pk): e for e in FaqEntry.objects.for_municipality(municipality)}
    procedures = {p.slug: p for p in Procedure.objects.for_municipality(municipality)}
    rows: list[_Row] = []
    seen_ids: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(
                RowError(number, "", f"{MAX_ROWS}行を超えています。ファイルを分けてください。")
            )
            break
        if None in raw:
            errors.append(RowError(number, "", "列の数が見出しより多くなっています。"))
            continue
        # A file we exported and the editor saved again: cells it guarded are read back as they were.
        values = {k: core_csv.excel_unguard((v or "").strip()) for k, v in raw.items()}
        if not any(values.values()):
            continue  # blank line
        row_errors: list[RowError] = []
        entry = None
        entry_id = values.get("id", "")
        if entry_id:
            entry = entries.get(entry_id)
            if entry is None:
                row_errors.append(
                    RowError(
                        number,
                        "id",
                        "この id の質問はありません（新しく追加するときは空欄にします）。",
                    )
                )
            elif entry_id in seen_ids:
                row_errors.append(RowError(number, "id", "同じ id が複数の行にあります。"))
            seen_ids.add(entry_id)
        question = " ".join(values.get("question", "").split())
        if not question:
            row_errors.append(RowError(number, "question", "質問が空です。"))
        elif len(question) > QUESTION_MAX:
            row_errors.append(
                RowError(number, "question", f"質問は{QUESTION_MAX}文字以内にしてください。")
            )
        if not values.get("answer"):
            row_errors.append(RowError(number, "answer", "回答が空です。"))
        if len(values.get("category", "")) > CATEGORY_MAX:
            row_errors.append(
                RowError(number, "category", f"分類は{CATEGORY_MAX}文字以内にしてください。")
            )
        if len(values.get("category_en", "")) > CATEGORY_MAX:
            row_errors.append(
                RowError(
                    number, "category_en", f"英語の分類は{CATEGORY_MAX}文字以内にしてください。"
                )
            )
        status = STATUS_NAMES.get(values.get("status", "").lower())
        if status is None:
            row_errors.append(
                RowError(
                    number,
                    "status",
                    "公開状態は draft / published / archived（下書き / 公開 / 非公開）のどれかです。",
                )
            )
        try:
            reviewed = _parse_date(values.get("last_reviewed", ""))
        except ValueError:
            reviewed = None
            row_errors.append(
                RowError(number, "last_reviewed", "日付は 2025-04-01 の形で書いてください。")
            )
        linked = []
        for slug in _split_list(values.get("related_procedures", "")):
            if slug in procedures:
                linked.append(procedures[slug])
            else:
                row_errors.append(
                    RowError(number, "related_procedures", f"手続「{slug}」はありません。")
                )
        question_en = " ".join(values.get("question_en", "").split())
        if len(question_en) > QUESTION_MAX:
            row_errors.append(
                RowError(
                    number, "question_en", f"英語の質問は{QUESTION_MAX}文字以内にしてください。"
                )
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        fields: dict[str, Any] = {
            "question": question,
            "answer": values["answer"],
            "status": status,
            "last_reviewed": reviewed,
        }
        if "question_en" in header:
            fields["question_en"] = question_en
        # Columns a file leaves out keep their stored values (older files have no English columns).
        for optional in (
            "category",
            "alt_questions",
            "keywords",
            "contact",
            "answer_en",
            "category_en",
            "contact_en",
        ):
            if optional in header:
                fields[optional] = values[optional]
        rows.append(_Row(number, entry, fields, linked if "related_procedures" in header else []))
    return rows, errors


def import_csv(
    *, municipality: Municipality, data: bytes, encoding: str = "auto", dry_run: bool = False
) -> ImportResult:
    result = ImportResult()
    if len(data) > MAX_BYTES:
        result.errors.append(RowError(0, "", "ファイルが大きすぎます（10MBまで）。"))
        return result
    try:
        text = decode(data, encoding)
    except UnicodeDecodeError:
        result.errors.append(
            RowError(0, "", "文字コードを読み取れません。UTF-8 か Shift_JIS で保存してください。")
        )
        return result
    try:
        rows, errors = _parse(municipality, text)
    except csv.Error as exc:
        result.errors.append(RowError(0, "", f"CSVの形式が正しくありません（{exc}）。"))
        return result
    if errors:
        result.errors = errors
        return result
    if dry_run:
        result.created = sum(1 for r in rows if r.entry is None)
        result.updated = len(rows) - result.created
        return result
    try:
        with transaction.atomic():
            for row in rows:
                related = row.procedures if row.procedures or row.entry is None else None
                if row.entry is None:
                    services.faq_entry_create(
                        municipality=municipality, related_procedures=row.procedures, **row.fields
                    )
                    result.created += 1
                else:
                    services.faq_entry_update(
                        entry=row.entry, related_procedures=related, **row.fields
                    )
                    result.updated += 1
    except ValidationError as exc:
        # A row that passed the checks above but not the model's: nothing was written.
        result = ImportResult(errors=[RowError(row.line, "", "; ".join(exc.messages))])
    return result


def export_rows(entries: Iterable[FaqEntry]) -> Iterable[list[str]]:
    yield list(COLUMNS)
    for e in entries:
        yield [
            str(e.pk),
            e.question,
            e.answer,
            e.category,
            e.alt_questions,
            e.keywords,
            " ".join(p.slug for p in e.related_procedures.all()),
            e.contact,
            e.status,
            e.last_reviewed.isoformat() if e.last_reviewed else "",
            e.question_en,
            e.answer_en,
            e.category_en,
            e.contact_en,
        ]


def export_csv(entries: Iterable[FaqEntry], *, encoding: str = "utf-8") -> bytes:
    """UTF-8 with a BOM (so Excel reads it) or Shift_JIS (cp932); a character cp932 cannot hold
    raises core.csv.ShiftJisError naming it (never a silent "?")."""
    buffer = io.StringIO()
    core_csv.writer(buffer).writerows(export_rows(entries))  # formula cells neutralised
    text = buffer.getvalue()
    if encoding in core_csv.SHIFT_JIS_NAMES:
        return core_csv.encode_shift_jis(text)
    return text.encode("utf-8-sig")
