"""madoguchi bench ingest — bulk intake of N generated applications against PostgreSQL's COPY.

On a fresh database (a new PostgreSQL database on the server DATABASE_URL points at; SQLite
otherwise, without the COPY figure) it:
  1. generates a bundle (zip, one JSON manifest per application; half carry a certificate serial
     found in the linkage table) — not timed;
  2. times `bundle_import` — the path `madoguchi intake import` uses: zip checks, parsing,
     validation against the exact form version, receipt-number idempotency, linkage matching, and
     writing the application, its history event and its intake record in per-chunk transactions;
  3. times COPY of exactly the rows the intake wrote, into the same three tables emptied
     again (so with the same indexes, foreign keys and starting state), commit included; and,
     for reference, into copies of the tables without foreign keys (`ratio_nofk`).
Last line: applications=N per_s=… copy_per_s=… ratio=… ratio_nofk=…
(ratio = intake time / COPY time into the same tables).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import fresh_database

TABLES = ("applications_application", "applications_applicationevent", "intake_importedapplication")


# Applicants vary as they would in a real bundle: names written in kanji, kana typed in
# hiragana or katakana (full- or half-width), wareki and western dates, varied addresses.
_FAMILY = [
    ("山田", "ヤマダ"),
    ("佐藤", "さとう"),
    ("鈴木", "ｽｽﾞｷ"),
    ("髙橋", "タカハシ"),
    ("渡邉", "わたなべ"),
    ("伊藤", "イトウ"),
    ("中村", "ﾅｶﾑﾗ"),
    ("小林", "コバヤシ"),
    ("齋藤", "サイトウ"),
    ("加藤", "かとう"),
    ("吉田", "ヨシダ"),
    ("山本", "ヤマモト"),
]
_GIVEN = [
    ("花子", "ハナコ"),
    ("太郎", "たろう"),
    ("美咲", "ﾐｻｷ"),
    ("翔太", "ショウタ"),
    ("陽菜", "ひな"),
    ("健一", "ケンイチ"),
    ("さくら", "サクラ"),
    ("大輔", "ダイスケ"),
    ("結衣", "ユイ"),
    ("蓮", "レン"),
    ("恵子", "けいこ"),
]
_TOWNS = ["本町", "東町", "西ノ宮", "中央", "緑が丘", "港町", "旭町"]


def _applicant(i: int) -> tuple[dict[str, object], dict[str, str], str]:
    family, family_kana = _FAMILY[i % len(_FAMILY)]
    given, given_kana = _GIVEN[(i // len(_FAMILY)) % len(_GIVEN)]
    year, month, day = 1930 + i % 75, 1 + i % 12, 1 + i % 28
    birth_iso = f"{year:04d}-{month:02d}-{day:02d}"
    era, start = ("昭和", 1925) if year < 1989 else ("平成", 1988)
    birth_typed = f"{era}{year - start}年{month}月{day}日" if i % 3 else f"{year}年{month}月{day}日"
    address = f"静岡県テスト市{_TOWNS[i % len(_TOWNS)]}{1 + i % 9}丁目{1 + i % 40}-{1 + i % 20}"
    name = {"family": family, "given": given, "family_kana": family_kana, "given_kana": given_kana}
    summary = {
        "name": f"{family} {given}",
        "kana": f"{family_kana}　{given_kana}",
        "birth_date": birth_iso,
        "address": address,
    }
    return name, summary, birth_typed


def _bundle(n: int, procedure: str, form_data: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    # Stored (no compression) like many portal exports; deflate only changes the zip-read share.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            name, applicant, birth_typed = _applicant(i)
            data = {
                "format_version": 1,
                "receipt_number": f"B{i:012d}",
                "procedure": procedure,
                "form_version": 1,
                "submitted_at": "2025-06-16T09:30:00+09:00",
                "applicant": applicant,
                "form_data": {
                    **form_data,
                    "name": name,
                    "birth_date": birth_typed,
                    "email": f"r{i}@example.jp",
                },
            }
            if i % 2 == 0:
                data["certificate_serial"] = f"{i + 0x1000:X}"
            zf.writestr(
                f"applications/B{i:012d}/manifest.json", json.dumps(data, ensure_ascii=False)
            )
    return buffer.getvalue()


def _copy(
    raw: Any, data: dict[str, tuple[list[str], list[tuple[object, ...]]]], prefix: str
) -> float:
    start = time.perf_counter()
    with raw.cursor() as cur:
        for table, (columns, rows) in data.items():
            quoted = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f"COPY {prefix}{table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        tuple(json.dumps(v) if isinstance(v, (dict, list)) else v for v in row)
                    )
    raw.commit()
    return time.perf_counter() - start


def _copy_seconds(tables: tuple[str, ...]) -> tuple[float, float] | None:
    """COPY exactly the rows the intake wrote, twice; the seconds of each, commit included.

    1. Into the same tables, emptied again: the same indexes, foreign keys and starting state
       as the intake had. Foreign keys are checked row by row (SET CONSTRAINTS ALL IMMEDIATE),
       PostgreSQL's fastest way, not queued for one huge commit.
    2. Into copies of the tables with the same columns, indexes and checks but no foreign keys
       (CREATE TABLE … LIKE … INCLUDING ALL): the floor, for reference.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    data: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {}
    with raw.cursor() as cur:
        for table in tables:
            cur.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 — fixed table names
            data[table] = ([d.name for d in cur.description or []], cur.fetchall())
            cur.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
        cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    raw.commit()
    with raw.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    same_tables = _copy(raw, data, "")
    without_keys = _copy(raw, data, "bench_")
    return same_tables, without_keys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench ingest")
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--workers", type=int, default=0, help="0: one per CPU")
    args = parser.parse_args(argv)
    n = args.applications
    data_dir = tempfile.mkdtemp(prefix="madoguchi-bench-ingest-")
    with fresh_database(data_dir) as (database_url, kind):
        os.environ["DATABASE_URL"] = database_url
        os.environ["MADOGUCHI_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings.test")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from madoguchi.applications.tests.factories import NO_FILE_DEFINITION, VALID_ANSWERS
        from madoguchi.intake import services
        from madoguchi.intake.models import ResidentLink
        from madoguchi.procedures.models import FormVersion, Procedure
        from madoguchi.tenancy.tests.factories import MunicipalityFactory

        call_command("migrate", verbosity=0)
        town = MunicipalityFactory(code="221309", name="ベンチ町")
        procedure = Procedure.objects.create(
            municipality=town, slug="bench-certificate", name="ベンチ証明", is_published=True
        )
        FormVersion.objects.create(procedure=procedure, number=1, definition=NO_FILE_DEFINITION)
        from django.utils import timezone

        ResidentLink.objects.bulk_create(
            [
                ResidentLink(
                    municipality=town,
                    certificate_serial=f"{i + 0x1000:X}",
                    resident_number=f"{i + 1:015d}",
                    updated_at=timezone.now(),
                )
                for i in range(0, n, 2)
            ],
            batch_size=5000,
        )
        bundle = _bundle(n, "bench-certificate", VALID_ANSWERS)
        path = Path(data_dir) / "bundle.zip"
        path.write_bytes(bundle)

        from madoguchi.core import forking

        # The same workers `madoguchi intake import` uses by default (one per CPU).
        workers = args.workers or forking.default_workers()
        kwargs: dict[str, int] = {"workers": workers}
        if args.chunk_size:
            kwargs["chunk_size"] = args.chunk_size
        print(f"database={kind} bundle_bytes={len(bundle):,} workers={workers}", flush=True)
        start = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            report = profiler.runcall(
                services.bundle_import, municipality=town, path_or_file=path, **kwargs
            )
            pstats.Stats(profiler).sort_stats(
                os.environ.get("BENCH_PROFILE_SORT", "cumulative")
            ).print_stats(40)
        else:
            report = services.bundle_import(municipality=town, path_or_file=path, **kwargs)
        intake_s = time.perf_counter() - start
        assert report.imported == n, (report.refused, report.rejections[:3])
        connection.close()
        copies = _copy_seconds(TABLES)
        connection.close()
    per_s = n / intake_s
    if copies is None:
        print(f"applications={n} per_s={per_s:.0f} copy_per_s=n/a ratio=n/a")
    else:
        copy_s, nofk_s = copies
        print(f"intake_s={intake_s:.2f} copy_s={copy_s:.2f} copy_nofk_s={nofk_s:.2f}")
        print(
            f"applications={n} per_s={per_s:.0f} copy_per_s={n / copy_s:.0f} "
            f"ratio={intake_s / copy_s:.2f} ratio_nofk={intake_s / nofk_s:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
