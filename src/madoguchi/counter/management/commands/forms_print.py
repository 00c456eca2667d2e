"""`madoguchi forms print --procedure SLUG --answers ANSWERS.json --out OUT.pdf` (forms_print).

Prints one set of answers (the dict the form engine stores) as the procedure's official form.
The procedure is looked up in the database first (with its stored print layout; `--municipality`
chooses when several municipalities have the slug); when the database has none, or no tables
yet, the standard library's procedure of that slug is printed with the generated A4 layout.
Exit status 1 with a message on stderr for an unknown slug, unreadable answers, or characters
no installed font can print (listed with their fields).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from madoguchi.counter.print import (
    FontsMissing,
    LayoutError,
    LayoutSpec,
    MissingGlyphs,
    print_document,
    render_pdf,
)
from madoguchi.procedures.formdef import DefinitionError, FormDefinition, parse_definition
from madoguchi.procedures.library import load_library


class Command(BaseCommand):
    help = "回答（JSON）を手続の申請書様式に印字した PDF を作ります。"
    # A check tool that neither mails nor serves: the deployment checks (mail settings …)
    # are for `serve`, not for printing one form.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--procedure", required=True, metavar="SLUG", help="手続の識別名")
        parser.add_argument(
            "--answers", required=True, metavar="ANSWERS.json", help="回答の JSON（オブジェクト）"
        )
        parser.add_argument("--out", required=True, metavar="OUT.pdf", help="書き出す PDF")
        parser.add_argument(
            "--municipality",
            default="",
            metavar="CODE",
            help="同じ識別名の手続が複数の自治体にあるとき、その団体コード",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        answers = _read_answers(Path(options["answers"]))
        definition, spec, municipality, name = _procedure(
            options["procedure"], options["municipality"]
        )
        document = print_document(
            definition=definition,
            answers=answers,
            municipality=municipality,
            procedure=name,
            printed_on=timezone.localdate(),
        )
        try:
            pdf = render_pdf(document, spec)
        except MissingGlyphs as exc:
            raise CommandError(exc.describe()) from None
        except (FontsMissing, LayoutError) as exc:
            raise CommandError(str(exc)) from None
        out = Path(options["out"])
        _write_atomically(out, pdf)
        self.stdout.write(f"{out}: {len(pdf)} bytes ({spec.kind})")


def _read_answers(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"回答のファイルを読めません: {path} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CommandError(f"回答のファイルが UTF-8 ではありません: {path}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"回答のファイルが JSON として読めません: {path} "
            f"（{exc.lineno}行目 {exc.colno}文字目: {exc.msg}）"
        ) from None
    if not isinstance(data, dict):
        raise CommandError(f"回答のファイルは JSON のオブジェクト（{{...}}）にしてください: {path}")
    return data


def _procedure(slug: str, municipality_code: str) -> tuple[FormDefinition, LayoutSpec, str, str]:
    """(definition, layout, municipality name, procedure name) from the database or library."""
    try:
        found = _from_database(slug, municipality_code)
    except DatabaseError:
        found = None  # no database yet: the library alone
    if found is not None:
        return found
    for entry in load_library():
        if entry.get("slug") == slug:
            try:
                definition = parse_definition(entry["form"])
            except DefinitionError as exc:  # pragma: no cover - the library is tested
                raise CommandError(f"標準ライブラリの様式が読めません: {exc}") from None
            return definition, LayoutSpec(), "", str(entry.get("name") or slug)
    known = ", ".join(sorted(str(e.get("slug")) for e in load_library()))
    raise CommandError(
        f"手続「{slug}」が見つかりません（データベースにも標準ライブラリにもありません）。"
        f"標準ライブラリの識別名: {known}"
    )


def _from_database(
    slug: str, municipality_code: str
) -> tuple[FormDefinition, LayoutSpec, str, str] | None:
    from madoguchi.counter.selectors import print_layout_spec
    from madoguchi.procedures.models import Procedure

    # An operator's command, not a tenant's request: every municipality's procedures are
    # candidates, narrowed by --municipality.
    candidates = Procedure.objects.select_related("municipality").filter(slug=slug)
    if municipality_code:
        candidates = candidates.filter(municipality__code=municipality_code)
    procedures = list(candidates[:10])
    if not procedures:
        return None
    if len(procedures) > 1:
        codes = ", ".join(p.municipality.code for p in procedures)
        raise CommandError(
            f"手続「{slug}」は複数の自治体にあります（{codes}）。--municipality で団体コードを指定してください。"
        )
    procedure = procedures[0]
    version = procedure.current_version
    if version is None:
        raise CommandError(f"手続「{slug}」にはまだ様式がありません。")
    try:
        spec = print_layout_spec(procedure=procedure)
    except OSError as exc:
        raise CommandError(f"様式の PDF を読めません: {exc}") from None
    return (
        parse_definition(version.definition),
        spec,
        procedure.municipality.name,
        procedure.name,
    )


def _write_atomically(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
