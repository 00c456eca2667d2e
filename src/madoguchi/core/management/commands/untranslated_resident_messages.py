"""List the resident-facing messages still untranslated, per language, to fill them fast.

    madoguchi untranslated_resident_messages              # counts and the messages, all languages
    madoguchi untranslated_resident_messages --tsv out.tsv   # one row per message: fill, then --apply
    madoguchi untranslated_resident_messages --apply out.tsv # write the filled columns, compile

The TSV has the columns catalogue, msgctxt, msgid, English, then one per language
(zh_Hans, ko, vi, pt_BR); newlines and tabs are written as \\n and \\t. A plural message has
its plural msgid after " || " in the msgid column, and its forms separated by " || " in each
language column (zh_Hans, ko, vi have one form; pt_BR two). Development tool: needs polib.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from madoguchi.core.resident_messages import PACKAGE, RESIDENT_LOCALES, untranslated

SEP = " || "


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _english(catalogue: Path, msgctxt: str | None, msgid: str) -> str:
    import polib  # type: ignore[import-untyped]

    english = catalogue.parents[2] / "en" / "LC_MESSAGES" / catalogue.name
    if not english.exists():
        return ""
    for entry in polib.pofile(str(english)):
        if entry.msgid == msgid and entry.msgctxt == msgctxt:
            return entry.msgstr or entry.msgstr_plural.get(0, "")
    return ""


class Command(BaseCommand):
    help = "List (or export to TSV, or apply a filled TSV of) resident-facing messages without translation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--locale", action="append", choices=RESIDENT_LOCALES)
        parser.add_argument("--tsv", help="write the untranslated messages to this TSV file")
        parser.add_argument("--apply", help="write the translations of this filled TSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        locales = options["locale"] or list(RESIDENT_LOCALES)
        if options["apply"]:
            self._apply(Path(options["apply"]), locales)
            return
        rows: dict[tuple[str, str, str], dict[str, str]] = {}
        for locale in locales:
            found = list(untranslated(locale))
            self.stdout.write(f"{locale}: {len(found)} untranslated resident-facing messages")
            for missing in found:
                entry = missing.entry
                relative = str(missing.catalogue.relative_to(PACKAGE)).replace(
                    f"/{locale}/", "/{locale}/"
                )
                msgid = entry.msgid + (SEP + entry.msgid_plural if entry.msgid_plural else "")
                rows.setdefault((relative, entry.msgctxt or "", msgid), {})[locale] = ""
                if not options["tsv"]:
                    where = entry.occurrences[0][0] if entry.occurrences else ""
                    self.stdout.write(f"  {where}: {entry.msgid!r}")
        if options["tsv"]:
            # Plain tab-separated text (no quoting): every value is escaped, so no tab or
            # newline is left inside one. Not a CSV export: nothing here goes to a spreadsheet.
            lines = ["\t".join(["catalogue", "msgctxt", "msgid", "en", *RESIDENT_LOCALES])]
            for (catalogue, msgctxt, msgid), _langs in sorted(rows.items()):
                path = PACKAGE / catalogue.replace("{locale}", "en")
                english = _english(path, msgctxt or None, msgid.split(SEP)[0])
                fields = [catalogue, _escape(msgctxt), _escape(msgid), _escape(english)]
                lines.append("\t".join(fields + [""] * len(RESIDENT_LOCALES)))
            Path(options["tsv"]).write_text("\n".join(lines) + "\n", encoding="utf-8")
            self.stdout.write(f"wrote {len(rows)} rows to {options['tsv']}")

    def _apply(self, tsv: Path, locales: list[str]) -> None:
        import polib  # type: ignore[import-untyped]

        with open(tsv, encoding="utf-8", newline="") as source:
            reader = csv.DictReader(source, delimiter="\t", quoting=csv.QUOTE_NONE)
            rows = list(reader)
        for locale in locales:
            by_catalogue: dict[str, list[dict[str, str]]] = {}
            for row in rows:
                if row.get(locale, "").strip():
                    by_catalogue.setdefault(row["catalogue"], []).append(row)
            for catalogue, filled in by_catalogue.items():
                path = PACKAGE / catalogue.replace("{locale}", locale)
                if not path.exists():
                    raise CommandError(f"no catalogue {path}: run makemessages for {locale}")
                po = polib.pofile(str(path), wrapwidth=0)
                written = 0
                for row in filled:
                    msgid = _unescape(row["msgid"]).split(SEP)[0]
                    entry = po.find(msgid, msgctxt=_unescape(row["msgctxt"]) or None)
                    if entry is None:
                        continue
                    text = _unescape(row[locale])
                    if entry.msgid_plural:
                        forms = text.split(SEP)
                        entry.msgstr_plural = {i: f for i, f in enumerate(forms)}
                    else:
                        entry.msgstr = text
                    if "fuzzy" in entry.flags:
                        entry.flags.remove("fuzzy")
                    written += 1
                po.save()
                subprocess.run(  # noqa: S603
                    ["msgfmt", "--check", "-o", str(path.with_suffix(".mo")), str(path)],  # noqa: S607
                    check=True,
                )
                self.stdout.write(f"{locale}: {written} messages written to {path}")
