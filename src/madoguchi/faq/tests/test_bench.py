"""`madoguchi bench faq` runs end to end on its synthetic corpus (no shared data needed)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[4] / "bench" / "faq.py"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_faq", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_prints_the_summary_line_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MADOGUCHI_SHARED_DIR", str(tmp_path))  # no data there: synthetic corpus
    bench = _load_bench()
    assert bench.main(["--entries", "300", "--queries", "30"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "synthetic" in lines[0]
    assert re.fullmatch(
        r"entries=300 build_s=\d+\.\d\d cold_build_s=\d+\.\d\d p50_ms=\d+\.\d\d p99_ms=\d+\.\d\d",
        lines[-1],
    )
