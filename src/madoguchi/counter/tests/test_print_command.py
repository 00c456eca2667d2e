"""`madoguchi forms print --procedure SLUG --answers ANSWERS.json --out OUT.pdf`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.counter.print import LayoutError
from madoguchi.counter.services import print_layout_save

from . import pdftools
from .test_print_render import ANSWERS, PLACEMENTS, official_form

SRC = Path(__file__).resolve().parents[3]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, as an operator runs it (no database yet: the library)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "madoguchi.settings.test",
        "MADOGUCHI_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    return subprocess.run(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-m", "madoguchi.cli", "forms", "print", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_command_prints_a_library_procedure_and_refuses_bad_input(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out" / "moving-out.pdf"
    done = run(tmp_path, "--procedure", "moving-out", "--answers", str(answers), "--out", str(out))
    assert done.returncode == 0, done.stderr
    pdf = out.read_bytes()
    assert "タカヨシ タロウ\n髙𠮷 太郎" in pdftools.text(pdf)  # フリガナ above the name
    assert pdftools.media_boxes(pdf)[0] == (
        pytest.approx(595.28, abs=0.01),
        pytest.approx(841.89, abs=0.01),
    )

    missing = tmp_path / "nope.pdf"
    done = run(tmp_path, "--procedure", "no-such", "--answers", str(answers), "--out", str(missing))
    assert done.returncode != 0 and "手続「no-such」が見つかりません" in done.stderr
    assert "moving-out" in done.stderr  # the slugs it does know

    broken = tmp_path / "broken.json"
    broken.write_text('{"notifier_name": ', encoding="utf-8")
    done = run(
        tmp_path, "--procedure", "moving-out", "--answers", str(broken), "--out", str(missing)
    )
    assert done.returncode != 0 and "JSON として読めません" in done.stderr

    odd = json.loads(json.dumps(ANSWERS))
    odd["notifier_name"]["given"] = "太\ue000郎"
    answers.write_text(json.dumps(odd), encoding="utf-8")
    done = run(
        tmp_path, "--procedure", "moving-out", "--answers", str(answers), "--out", str(missing)
    )
    assert done.returncode != 0
    assert "U+E000" in done.stderr and "届出人氏名" in done.stderr
    assert not missing.exists()  # nothing half written


@pytest.mark.django_db
def test_command_uses_the_database_procedure_and_its_overlay_layout(tmp_path):
    version = FormVersionFactory(
        definition=json.loads((SRC / "madoguchi/procedures/library/moving-out.json").read_text())[
            "form"
        ],
        procedure__slug="moving-out",
        procedure__name="転出届（みどり市様式）",
    )
    print_layout_save(
        procedure=version.procedure,
        kind="overlay",
        placements=PLACEMENTS,
        base_pdf=SimpleUploadedFile("form.pdf", official_form(), content_type="application/pdf"),
    )
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.pdf"
    call_command("forms_print", procedure="moving-out", answers=str(answers), out=str(out))
    text = pdftools.text(out.read_bytes())
    assert "住民異動届（様式第1号）" in text and "髙𠮷" in text and "太郎" in text

    # The same slug in a second municipality: the operator must say which.
    FormVersionFactory(procedure__slug="moving-out")
    with pytest.raises(CommandError, match="--municipality"):
        call_command("forms_print", procedure="moving-out", answers=str(answers), out=str(out))
    code = version.procedure.municipality.code
    call_command(
        "forms_print", procedure="moving-out", answers=str(answers), out=str(out), municipality=code
    )


@pytest.mark.django_db
def test_saving_a_layout_checks_it_against_the_form(tmp_path):
    version = FormVersionFactory(
        definition=json.loads((SRC / "madoguchi/procedures/library/moving-out.json").read_text())[
            "form"
        ]
    )
    procedure = version.procedure
    pdf = SimpleUploadedFile("form.pdf", official_form(), content_type="application/pdf")
    bad = {"fields": [{"key": "spouse_name", "x": 10, "y": 10}]}
    with pytest.raises(LayoutError, match="spouse_name"):
        print_layout_save(procedure=procedure, kind="overlay", placements=bad, base_pdf=pdf)
    not_pdf = SimpleUploadedFile(
        "form.pdf", b"GIF89a" + b"\0" * 100, content_type="application/pdf"
    )
    with pytest.raises(LayoutError):
        print_layout_save(
            procedure=procedure, kind="overlay", placements=PLACEMENTS, base_pdf=not_pdf
        )
    with pytest.raises(LayoutError, match="PDF"):
        print_layout_save(procedure=procedure, kind="overlay", placements=PLACEMENTS)
    pdf.seek(0)
    layout = print_layout_save(
        procedure=procedure, kind="overlay", placements=PLACEMENTS, base_pdf=pdf
    )
    stored = layout.base_pdf.name
    assert stored.startswith(f"print-layouts/{procedure.municipality.code}/") and stored.endswith(
        ".pdf"
    )
    # Placements changed without a new upload: the stored form is kept.
    moved = {"fields": [{**PLACEMENTS["fields"][0], "x": 50}]}
    again = print_layout_save(procedure=procedure, kind="overlay", placements=moved)
    assert again.pk == layout.pk and again.base_pdf.name == stored
    back = print_layout_save(procedure=procedure, kind="generated")
    assert back.placements == {}
