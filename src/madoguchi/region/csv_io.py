"""CSV export and import of a prefecture's joint systems (columns in docs/region.md).

Import is all or nothing: every row is checked first; if any is wrong, each error is reported
(row, column, what to fix, in Japanese) and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from madoguchi.core import csv as core_csv
from madoguchi.core.csv import ImportResult, RowError
from madoguchi.core.params import has_nul, in_day_range
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Prefecture

from . import services
from .models import MAX_YEN, Domain, JointSystem, SystemType

COLUMNS = (
    "id",
    "name",
    "domain",
    "system_type",
    "vendor",
    "initial_cost",
    "annual_cost",
    "period_start",
    "period_end",
    "spec_shareable",
    "subsidy",
    "background",
    "process",
    "is_public",
    "participants",
)
REQUIRED_COLUMNS = ("name", "domain", "system_type")
MAX_ROWS = 2_000
MAX_BYTES = 5 * 1024 * 1024
YES = {"1", "true", "yes", "可", "はい", "○", "公開"}
NO = {"", "0", "false", "no", "不可", "いいえ", "×", "非公開"}


def _choice_names(choices: list[tuple[str, Any]]) -> dict[str, str]:
    names = {}
    for value, label in choices:
        names[value] = value
        names[str(label)] = value
    return names


DOMAINS = _choice_names(Domain.choices)
TYPES = _choice_names(SystemType.choices)


def _participants_cell(system: JointSystem) -> str:
    return ";".join(
        f"{p.municipality.code}:{p.population}:{p.staff_covered}" for p in system.participants.all()
    )


def export_rows(systems: Iterable[JointSystem]) -> Iterable[list[Any]]:
    yield list(COLUMNS)
    for s in systems:
        yield [
            s.pk,
            s.name,
            s.get_domain_display(),
            s.get_system_type_display(),
            s.vendor,
            "" if s.initial_cost is None else s.initial_cost,
            "" if s.annual_cost is None else s.annual_cost,
            s.period_start or "",
            s.period_end or "",
            "可" if s.spec_shareable else "不可",
            s.subsidy,
            s.background,
            s.process,
            "公開" if s.is_public else "非公開",
            _participants_cell(s),
        ]


def export_csv(systems: Iterable[JointSystem], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    core_csv.writer(out).writerows(export_rows(systems))
    text = out.getvalue()
    if encoding in core_csv.SHIFT_JIS_NAMES:
        return text.translate(core_csv.CP932_EQUIVALENTS).encode("cp932", core_csv.GETA_ERRORS)
    return ("\ufeff" + text).encode("utf-8")  # BOM: Excel opens UTF-8 as UTF-8


def _yen(value: str, row: int, column: str, errors: list[RowError]) -> int | None:
    text = value.replace(",", "").replace("円", "").replace("¥", "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > MAX_YEN:
        errors.append(
            RowError(row, column, "金額は0以上の整数（円）で書いてください（例：1200000）。")
        )
        return None
    return int(text)


def _date(value: str, row: int, column: str, errors: list[RowError]) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        day = None
    if day is None or not in_day_range(day):
        errors.append(RowError(row, column, "日付は 2025-04-01 の形で書いてください。"))
        return None
    return day


def _flag(value: str, row: int, column: str, errors: list[RowError]) -> bool:
    text = value.strip().lower()
    if text in YES:
        return True
    if text not in NO:
        errors.append(RowError(row, column, "「可」か「不可」（1 か 0）で書いてください。"))
    return False


@dataclass
class _Row:
    line: int
    system: JointSystem | None
    fields: dict[str, Any]
    participants: list[services.ParticipantInput] | None


def _participants(
    value: str, row: int, municipalities: dict[str, Any], errors: list[RowError]
) -> list[services.ParticipantInput]:
    out: list[services.ParticipantInput] = []
    seen: set[str] = set()
    for item in (v.strip() for v in value.replace("；", ";").split(";")):
        if not item:
            continue
        parts = [p.strip() for p in item.replace("：", ":").split(":")]
        code = parts[0]
        numbers = parts[1:] + ["0"] * (3 - len(parts))
        if len(parts) > 3 or not all(n.isascii() and n.isdigit() for n in numbers if n):
            errors.append(
                RowError(
                    row,
                    "participants",
                    f"「{item}」は 団体コード:人口:対象職員数 の形で書いてください。",
                )
            )
            continue
        municipality = municipalities.get(code)
        if municipality is None:
            errors.append(
                RowError(
                    row, "participants", f"団体コード「{code}」はこの都道府県の団体にありません。"
                )
            )
            continue
        if code in seen:
            errors.append(RowError(row, "participants", f"団体コード「{code}」が2回あります。"))
            continue
        seen.add(code)
        out.append(
            services.ParticipantInput(municipality, int(numbers[0] or 0), int(numbers[1] or 0))
        )
    return out


def _parse(prefecture: Prefecture, text: str) -> tuple[list[_Row], list[RowError]]:
    reader, errors = core_csv.read_header(
        text, columns=COLUMNS, required=REQUIRED_COLUMNS, docs="docs/region.md"
    )
    if errors:
        return [], errors
    header = list(reader.fieldnames or [])
    systems = {str(s.pk): s for s in JointSystem.objects.filter(prefecture=prefecture)}
    municipalities = {m.code: m for m in Scope.of_prefecture(prefecture).municipalities()}
    rows: list[_Row] = []
    seen_ids: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            errors.append(
                RowError(line, "", f"{MAX_ROWS}行を超えています。ファイルを分けてください。")
            )
            break
        if None in raw:
            errors.append(RowError(line, "", "列の数が見出しより多くなっています。"))
            continue
        values = {k: core_csv.excel_unguard((v or "").strip()) for k, v in raw.items()}
        if not any(values.values()):
            continue
        if any(has_nul(v) for v in values.values()):
            errors.append(RowError(line, "", "使えない制御文字（NUL）が含まれています。"))
            continue
        row_errors: list[RowError] = []
        system = None
        if values.get("id"):
            system = systems.get(values["id"])
            if system is None:
                row_errors.append(
                    RowError(
                        line,
                        "id",
                        "この id のシステムはありません（新しく追加するときは空欄にします）。",
                    )
                )
            elif values["id"] in seen_ids:
                row_errors.append(RowError(line, "id", "同じ id が複数の行にあります。"))
            seen_ids.add(values["id"])
        name = " ".join(values.get("name", "").split())
        if not name:
            row_errors.append(RowError(line, "name", "システム名が空です。"))
        elif len(name) > 120:
            row_errors.append(RowError(line, "name", "システム名は120文字以内にしてください。"))
        domain = DOMAINS.get(values.get("domain", ""))
        if domain is None:
            row_errors.append(
                RowError(line, "domain", "分野は 総務部門・事業部門・ツール のどれかです。")
            )
        system_type = TYPES.get(values.get("system_type", ""))
        if system_type is None:
            row_errors.append(
                RowError(
                    line,
                    "system_type",
                    "システム種別は "
                    + "・".join(str(label) for _, label in SystemType.choices)
                    + " のどれかです。",
                )
            )
        fields: dict[str, Any] = {"name": name, "domain": domain, "system_type": system_type}
        for column in ("vendor", "subsidy"):
            if column in header:
                if len(values[column]) > (120 if column == "vendor" else 200):
                    row_errors.append(RowError(line, column, "長すぎます。短くしてください。"))
                fields[column] = values[column]
        for column in ("background", "process"):
            if column in header:
                fields[column] = values[column]
        for column in ("initial_cost", "annual_cost"):
            if column in header:
                fields[column] = _yen(values[column], line, column, row_errors)
        for column in ("period_start", "period_end"):
            if column in header:
                fields[column] = _date(values[column], line, column, row_errors)
        start, end = fields.get("period_start"), fields.get("period_end")
        if start and end and start > end:
            row_errors.append(RowError(line, "period_end", "契約期間の終了が開始より前です。"))
        for column in ("spec_shareable", "is_public"):
            if column in header:
                fields[column] = _flag(values[column], line, column, row_errors)
        participants = None
        if "participants" in header:
            participants = _participants(values["participants"], line, municipalities, row_errors)
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(_Row(line, system, fields, participants))
    return rows, errors


def import_csv(*, prefecture: Prefecture, data: bytes, encoding: str = "auto") -> ImportResult:
    """Check every row, then write all of them in one transaction (or none)."""
    if len(data) > MAX_BYTES:
        return ImportResult(errors=[RowError(0, "", "ファイルが大きすぎます（5MBまで）。")])
    try:
        text = core_csv.decode(data, encoding)
    except UnicodeDecodeError:
        return ImportResult(
            errors=[
                RowError(
                    0, "", "文字コードを読み取れません。UTF-8 か Shift_JIS で保存してください。"
                )
            ]
        )
    rows, errors = _parse(prefecture, text)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    services.system_save(
                        prefecture=prefecture,
                        system=row.system,
                        participants=row.participants,
                        **row.fields,
                    )
                except ValidationError as exc:
                    result.errors.append(RowError(row.line, "", "；".join(exc.messages)))
                    continue
                if row.system is None:
                    result.created += 1
                else:
                    result.updated += 1
            if result.errors:
                raise _Rollback
    except _Rollback:
        return ImportResult(errors=result.errors)
    return result


class _Rollback(Exception):
    """Leave the import transaction without writing anything."""
