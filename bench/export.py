"""madoguchi bench export — bulk CSV export of N applications: speed and peak memory.

Creates a fresh database (SQLite, or a new PostgreSQL database on the server DATABASE_URL points
at), loads N generated applications of 転出届 (the standard library's moving-out form: names,
addresses, dates, a group of family members), marks them in one export run, then streams the
CSV file twice: once timed, once under tracemalloc for the peak of Python memory while
streaming. Bounded memory means the peak does not grow with N (try --applications 10000 too).
Last line: applications=… encoding=… mib=… seconds=… rows_per_s=… peak_mib=…
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import fresh_database

PROCEDURE = "moving-out"
BATCH = 2000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench export")
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--encoding", choices=["utf-8-sig", "cp932"], default="utf-8-sig")
    parser.add_argument(
        "--explain", action="store_true", help="also time the inbox queries and print their plans"
    )
    args = parser.parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="madoguchi-bench-export-")
    with fresh_database(data_dir) as (database_url, kind):
        os.environ["DATABASE_URL"] = database_url
        os.environ["MADOGUCHI_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings.test")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        try:
            return _run(args.applications, args.encoding, kind, explain=args.explain)
        finally:
            connections.close_all()


def _inbox(municipality: object, kind: str) -> None:
    """The back-office inbox on N rows: the page, its count, the status counts, a name search."""
    from madoguchi.accounts.tests.factories import StaffUserFactory
    from madoguchi.applications import selectors

    user = StaffUserFactory(municipality=municipality, manager=True)
    cases = {
        "page": selectors.InboxFilters(),
        "status": selectors.InboxFilters(status="received"),
        "receipt": selectors.InboxFilters(query="20250000-012345"),
        "name": selectors.InboxFilters(query="さいとう"),
    }
    for label, filters in cases.items():
        qs = selectors.inbox_list(user=user, filters=filters)
        started = time.perf_counter()
        selectors.inbox_status_counts(user=user, filters=filters)  # also the page's total
        list(qs[:50])
        ms = (time.perf_counter() - started) * 1000
        print(f"inbox {label}: status counts + page {ms:.0f} ms", flush=True)
        if kind == "postgresql":
            print(qs[:50].explain(analyze=True), flush=True)


def _run(n: int, encoding: str, kind: str, *, explain: bool = False) -> int:
    from django.utils import timezone

    from madoguchi.applications.codes import hash_secret
    from madoguchi.applications.handoff import csv_export, services
    from madoguchi.applications.models import Application
    from madoguchi.applications.search import search_key_for
    from madoguchi.procedures.formdef import parse_definition, validate_answers
    from madoguchi.procedures.library import load_library
    from madoguchi.procedures.models import FormVersion, Procedure
    from madoguchi.procedures.tests.fill import valid_answers
    from madoguchi.tenancy.tests.factories import MunicipalityFactory

    entry = next(e for e in load_library() if e["slug"] == PROCEDURE)
    municipality = MunicipalityFactory()
    procedure = Procedure.objects.create(
        municipality=municipality, slug=PROCEDURE, name=entry["name"], is_published=True
    )
    version = FormVersion.objects.create(procedure=procedure, number=1, definition=entry["form"])
    definition = parse_definition(entry["form"])
    answers, errors = validate_answers(definition, valid_answers(definition, today=date.today()))
    assert not errors, errors
    template = json.dumps(answers, ensure_ascii=False)
    family = ["山田", "佐藤", "髙橋", "渡邊", "齋藤", "田中"]
    started = time.perf_counter()
    now = timezone.now()
    code_hash = hash_secret("00000000", "s")
    for start in range(0, n, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, n)):
            name = f"{family[i % len(family)]} 花子{i}"
            rows.append(
                Application(
                    municipality=municipality,
                    receipt_number=f"{20250000 + i // 1_000_000:08d}-{i % 1_000_000:06d}",
                    procedure=procedure,
                    form_version=version,
                    channel="online",
                    answers=json.loads(template),
                    applicant_name=name,
                    applicant_kana="ヤマダ ハナコ",
                    search_key=search_key_for(name=name, kana="ヤマダ ハナコ"),
                    access_code_salt="s",
                    access_code_hash=code_hash,
                    submitted_at=now - timedelta(seconds=n - i),
                )
            )
        Application.objects.bulk_create(rows)
    load_seconds = time.perf_counter() - started
    if explain:
        from django.db import connection

        if kind == "postgresql":
            with connection.cursor() as cursor:
                # What autovacuum does in production (visibility map for index-only scans).
                cursor.execute("VACUUM ANALYZE applications_application")
        _inbox(municipality, kind)
    run = services.export_start(
        actor=None,
        procedure=procedure,
        applications=Application.objects.filter(procedure=procedure),
        encoding=encoding,
        only_new=True,
        substitute=True,
    )
    assert run is not None and run.count == n

    started = time.perf_counter()
    size = sum(len(chunk) for chunk in csv_export.stream(run))
    seconds = time.perf_counter() - started

    tracemalloc.start()
    for _chunk in csv_export.stream(run):
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"database={kind} loaded {n} applications in {load_seconds:.1f}s", flush=True)
    print(
        f"applications={n} encoding={encoding} mib={size / 2**20:.1f} seconds={seconds:.1f} "
        f"rows_per_s={n / seconds:.0f} peak_mib={peak / 2**20:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
