"""madoguchi bench dashboards — every insights dashboard's queries on a large generated history.

Creates a fresh database (SQLite in a temporary directory, or a new PostgreSQL database on the
server `--database-url` / DATABASE_URL points at), one prefecture with M municipalities, and for
each municipality N events over the past year, written in bulk (SQLite: executemany; PostgreSQL:
COPY), never through model instances:

    events = walk-in tickets (50 %) + bookings (10 %, 92 % of them with a ticket)
             + applications (25 %) + FAQ questions (15 %)

The visit times follow a weekday/hour shape (late morning busiest) with waits, service times,
no-shows and abandonment. Then it times, for a sample of municipalities, what each dashboard
computes (every query and the charts, no HTTP): the municipality dashboard for the default
12 weeks and for a whole year, one chart's CSV, the open-data export (a year), and the
prefecture's region comparison across all M municipalities (12 weeks).

The issue's scale is 1,000,000 events per municipality and 40 municipalities
(`--events 1000000 --municipalities 40`); the defaults are smaller so it runs on a laptop.
The past days are read from the daily rollup (built here the way the nightly job builds it;
its time is printed); `--no-rollup` times the live queries instead.

Writing 40 million raw rows takes hours on a small machine. `--generated K` writes raw events
for the first K municipalities only and gives each other one a copy of a generated one's
rollup rows (ids of services and procedures mapped): past days' figures, which is all the
dashboards read of past days, as if the nightly job had rolled 40 towns. The per-municipality
dashboards are timed on generated towns; the region comparison reads all M.

Wall times on a machine shared with other work say little; the line also gives the p95 of the
process's CPU time (on SQLite the whole query work; on PostgreSQL the client's part only).
Last line: events=… p95_ms=… database=… municipalities=… events_per_municipality=… slowest=…
rollup=yes|no generated=K cpu_p95_ms=… slowest_cpu=… slowest_cpu_p95_ms=…
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import fresh_database

BATCH = 20_000
TZ = ZoneInfo("Asia/Tokyo")
HOURS = {
    8: 0.06,
    9: 0.13,
    10: 0.16,
    11: 0.14,
    12: 0.09,
    13: 0.13,
    14: 0.12,
    15: 0.10,
    16: 0.05,
    17: 0.02,
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench dashboards")
    parser.add_argument("--events", type=int, default=200_000, help="events per municipality")
    parser.add_argument("--municipalities", type=int, default=4)
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        help="municipalities with raw events (default: all); the others get copied rollups",
    )
    parser.add_argument("--sample", type=int, default=3, help="municipalities timed")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--profile", action="store_true", help="print where a year's time goes (town, region)"
    )
    parser.add_argument(
        "--no-rollup", dest="rollup", action="store_false", help="time the live queries only"
    )
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    data_dir = tempfile.mkdtemp(prefix="madoguchi-bench-dashboards-")
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
            return _run(args, kind)
        finally:
            connections.close_all()
            shutil.rmtree(data_dir, ignore_errors=True)


def _run(args: argparse.Namespace, kind: str) -> int:
    from django.db import connection

    started = time.perf_counter()
    towns = _setup(args.municipalities)
    generated = towns[: args.generated or len(towns)]
    if len(generated) < len(towns) and not args.rollup:
        raise SystemExit("--generated needs the rollup")
    events = 0
    for i, town in enumerate(generated):
        events += _fill(town, args.events, seed=i, kind=kind)
        print(f"generated {i + 1}/{len(generated)} municipalities, events={events:,}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generation {time.perf_counter() - started:.0f} s", flush=True)
    if args.rollup:
        from madoguchi.insights.rollups import rollup_build

        begin = time.perf_counter()
        rows = sum(rollup_build(municipality_id=t["municipality"].pk) for t in generated)
        print(
            f"rollup (the nightly job) {time.perf_counter() - begin:.1f} s for {len(generated)} "
            f"municipalities, rows={rows}",
            flush=True,
        )
        for i, town in enumerate(towns[len(generated) :]):
            _copy_rollup(generated[i % len(generated)], town)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if len(generated) < len(towns):
            _check_copies(towns, len(generated))
            print(f"rollup copied to {len(towns) - len(generated)} municipalities", flush=True)

    timings, cpu = _measure(generated, towns, args)
    all_ms = [ms for values in timings.values() for ms in values]
    all_cpu = [ms for values in cpu.values() for ms in values]
    for name, values in timings.items():
        print(
            f"{name}: p50={statistics.median(values):.0f} ms p95={_p95(values):.0f} ms "
            f"max={max(values):.0f} ms cpu_p95={_p95(cpu[name]):.0f} ms (n={len(values)})",
            flush=True,
        )
    slowest = max(timings, key=lambda name: _p95(timings[name]))
    slowest_cpu = max(cpu, key=lambda name: _p95(cpu[name]))
    print(
        f"events={events} p95_ms={_p95(all_ms):.0f} database={kind} "
        f"municipalities={len(towns)} events_per_municipality={args.events} slowest={slowest} "
        f"rollup={'yes' if args.rollup else 'no'} generated={len(generated)} "
        f"cpu_p95_ms={_p95(all_cpu):.0f} slowest_cpu={slowest_cpu} "
        f"slowest_cpu_p95_ms={_p95(cpu[slowest_cpu]):.0f}"
    )
    return 0


def _check_copies(towns: list[dict[str, Any]], generated: int) -> None:
    """A copy's past figures in the region comparison are its source's, name aside."""
    from django.utils import timezone

    from madoguchi.insights import selectors
    from madoguchi.tenancy.access import Scope

    yesterday = timezone.localdate() - timedelta(days=1)
    table = selectors.region(
        scope=Scope(prefecture_id=towns[0]["municipality"].prefecture_id),
        filters=selectors.Filters(first=yesterday - timedelta(days=363), last=yesterday),
    )
    rows = {row[0]: row[1:] for row in table.rows}

    def figures(town: dict[str, Any]) -> list[Any]:
        m = town["municipality"]
        return rows[f"{m.name}（{m.code}）"]

    for i, town in enumerate(towns[generated:]):
        assert figures(town) == figures(towns[i % generated]), town["municipality"].name


def _copy_rollup(source: dict[str, Any], target: dict[str, Any]) -> None:
    """Give `target` the rollup rows of `source`, its services' and procedures' ids mapped."""
    from django.db import connection

    from madoguchi.insights.models import RollupState

    def offset(pairs: list[tuple[int, int]]) -> int:
        shifts = {b - a for a, b in pairs}
        assert len(shifts) == 1, "ids not in the same order"
        return shifts.pop()

    services = offset(
        [(a.pk, b.pk) for a, b in zip(source["services"], target["services"], strict=True)]
    )
    procedures = offset(
        [(a[0], b[0]) for a, b in zip(source["procedures"], target["procedures"], strict=True)]
    )
    service_kinds = "'visit', 'wait', 'service', 'vhour', 'wait_w', 'service_w'"
    procedure_kinds = "'app', 'lead', 'corr', 'app_w', 'lead_w'"
    columns = "day, kind, b, c, n, x, n2, n3, n4, n5, n6, n7"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO insights_dailyrollup (municipality_id, a, {columns}) "  # noqa: S608
            f"SELECT %s, a + CASE WHEN kind IN ({service_kinds}) THEN %s "
            f"WHEN kind IN ({procedure_kinds}) THEN %s ELSE 0 END, {columns} "
            "FROM insights_dailyrollup WHERE municipality_id = %s",
            [target["municipality"].pk, services, procedures, source["municipality"].pk],
        )
    state = RollupState.objects.get(municipality=source["municipality"])
    RollupState.objects.create(
        municipality=target["municipality"],
        rolled_from=state.rolled_from,
        rolled_through=state.rolled_through,
        wait_target_minutes=state.wait_target_minutes,
    )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))]


def _measure(
    towns: list[dict[str, Any]], region_towns: list[dict[str, Any]], args: argparse.Namespace
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    from django.utils import timezone

    from madoguchi.insights import charts, opendata, selectors
    from madoguchi.tenancy.access import Scope

    today = timezone.localdate()
    year = selectors.Filters(first=today - timedelta(days=364), last=today)
    default = selectors.Filters.default(today)
    prefecture_scope = Scope(prefecture_id=region_towns[0]["municipality"].prefecture_id)
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def timed(name: str, work: Any) -> None:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        work()
        timings.setdefault(name, []).append((time.perf_counter() - begin) * 1000)
        cpu.setdefault(name, []).append((time.process_time() - begin_cpu) * 1000)

    def board(scope: Scope, filters: selectors.Filters) -> None:
        result = selectors.dashboard(scope=scope, filters=filters, targets=selectors.Targets())
        for table in result.tables:
            charts.render(table)

    if args.profile:
        import cProfile
        import pstats

        for work in (
            lambda: board(Scope.of_municipality(towns[0]["municipality"]), year),
            lambda: selectors.region(scope=prefecture_scope, filters=year),
        ):
            profile = cProfile.Profile()
            profile.enable()
            work()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats("madoguchi", 25)
    for round_ in range(args.rounds + 1):
        for town in towns[: args.sample]:
            scope = Scope.of_municipality(town["municipality"])
            online = selectors.Filters(first=default.first, last=default.last, channels=("online",))
            if round_ == 0:  # warm-up
                board(scope, default)
                continue
            timed("dashboard_12_weeks", lambda s=scope: board(s, default))
            timed("dashboard_year", lambda s=scope: board(s, year))
            timed("dashboard_filtered", lambda s=scope, f=online: board(s, f))
            timed(
                "open_data_year",
                lambda s=scope: list(opendata.opendata_rows(scope=s, first=year.first, last=today)),
            )
        if round_:
            timed(
                "region_12_weeks", lambda: selectors.region(scope=prefecture_scope, filters=default)
            )
            timed("region_year", lambda: selectors.region(scope=prefecture_scope, filters=year))
    return timings, cpu


def _setup(count: int) -> list[dict[str, Any]]:
    from madoguchi.applications.tests.factories import FormVersionFactory
    from madoguchi.core.municipality_code import with_check_digit
    from madoguchi.procedures.models import Procedure
    from madoguchi.reservations.models import ReservationPolicy, Service, Window
    from madoguchi.tenancy.models import Municipality, OpeningHours, Prefecture

    prefecture = Prefecture.objects.create(code="280003", name="兵庫県")
    towns = []
    for i in range(count):
        municipality = Municipality.objects.create(
            code=with_check_digit(f"28{100 + i:03d}"), prefecture=prefecture, name=f"ベンチ{i}市"
        )
        for weekday in range(5):
            OpeningHours.objects.create(
                municipality=municipality,
                weekday=weekday,
                opens=datetime.strptime("08:30", "%H:%M").time(),
                closes=datetime.strptime("17:15", "%H:%M").time(),
            )
        ReservationPolicy.objects.create(municipality=municipality)
        services = [
            Service.objects.create(
                municipality=municipality, series=s, name=f"業務{s}", standard_minutes=m
            )
            for s, m in (("A", 8), ("B", 20), ("C", 25), ("D", 15))
        ]
        for label in range(6):
            window = Window.objects.create(
                municipality=municipality, name=f"{label + 1}番窓口", label=str(label + 1)
            )
            window.services.set(services[label % 2 :: 2] if label > 1 else services)
        procedures = []
        for p in range(10):
            procedure = Procedure.objects.create(
                municipality=municipality,
                slug=f"p{p}",
                name=f"手続{p}",
                standard_processing_days=(7, 14, 30)[p % 3],
            )
            version = FormVersionFactory(procedure=procedure, without_files=True)
            procedures.append((procedure.pk, version.pk, procedure.standard_processing_days))
        towns.append({"municipality": municipality, "services": services, "procedures": procedures})
    return towns


def _working_days(today: date) -> list[date]:
    return [
        d
        for d in (today - timedelta(days=n) for n in range(1, 366))
        if d.weekday() < 5
        and not ((d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3))
    ]


def _at(day: date, minutes: float) -> datetime:
    return (
        datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(minutes=minutes)
    ).astimezone(ZoneInfo("UTC"))


def _fill(town: dict[str, Any], events: int, *, seed: int, kind: str) -> int:
    """Write `events` rows for one municipality in bulk; returns the rows written."""
    from django.utils import timezone

    rng = random.Random(seed)
    mid = town["municipality"].pk
    today = timezone.localdate()
    days = _working_days(today)
    weights = list(itertools.accumulate(1.0 + 0.7 * (d.month in (3, 4)) for d in days))
    hours, hour_weights = list(HOURS), list(itertools.accumulate(HOURS.values()))
    service_cum = list(itertools.accumulate([0.5, 0.25, 0.15, 0.1]))

    def pick_days(k: int) -> list[date]:
        return rng.choices(days, cum_weights=weights, k=k)

    services = [(s.pk, s.series, s.standard_minutes) for s in town["services"]]
    walk_ins, bookings_n = events * 50 // 100, events * 10 // 100
    applications_n, faq_n = events * 25 // 100, events - events * 85 // 100
    numbers: dict[tuple[date, str], int] = {}

    def visit(day: date, minute: float, service: tuple[int, str, int], booked: bool) -> tuple:
        key = (day, service[1])
        numbers[key] = numbers.get(key, 0) + 1
        issued = _at(day, minute)
        wait = rng.expovariate(1 / (3 if booked else 9))
        called = issued + timedelta(minutes=wait)
        if not booked and rng.random() < 0.04:  # gave up: called, nobody came
            return (
                mid,
                service[0],
                service[1],
                day,
                numbers[key],
                "no_show",
                issued,
                issued,
                called,
                called,
                None,
                None,
                1,
            )
        started = called + timedelta(minutes=rng.uniform(0.3, 1.5))
        finished = started + timedelta(minutes=max(1.0, rng.gauss(service[2], service[2] / 3)))
        return (
            mid,
            service[0],
            service[1],
            day,
            numbers[key],
            "finished",
            issued,
            issued,
            called,
            called,
            started,
            finished,
            1,
        )

    ticket_cols = (
        "municipality_id, service_id, series, day, number, status, issued_at, queued_at, "
        "called_at, last_called_at, started_at, finished_at, call_count"
    )
    tickets = []
    walk_in_hours = rng.choices(hours, cum_weights=hour_weights, k=walk_ins)
    walk_in_services = rng.choices(services, cum_weights=service_cum, k=walk_ins)
    for day, hour, service in zip(
        pick_days(walk_ins), walk_in_hours, walk_in_services, strict=True
    ):
        minute = hour * 60 + rng.uniform(0, 60)
        tickets.append(visit(day, max(minute, 510), service, False))
    written = _copy(kind, "reservations_ticket", ticket_cols, tickets)
    # Bookings, then a ticket for each booked visitor who came.
    booking_rows, came = [], []
    booking_services = rng.choices(services, cum_weights=service_cum, k=bookings_n)
    for n, (day, service) in enumerate(zip(pick_days(bookings_n), booking_services, strict=True)):
        minute = 510 + 15 * rng.randrange(30)
        start = _at(day, minute)
        showed = rng.random() > 0.08
        code = f"B{mid:04d}{n:07d}"[:12]
        booking_rows.append(
            (
                mid,
                code,
                "x",
                service[0],
                start,
                start + timedelta(minutes=15),
                "見本",
                "",
                "",
                f"c{mid}-{n}",
                f"t{mid}-{n}",
                "checked_in" if showed else "booked",
                start - timedelta(days=3),
            )
        )
        if showed:
            came.append((code, day, minute, service))
    written += _copy(
        kind,
        "reservations_booking",
        'municipality_id, code, secret_hash, service_id, start, "end", name, phone, email, '
        "contact_hash, submission_token, status, created_at",
        booking_rows,
    )
    from madoguchi.reservations.models import Booking

    ids = dict(Booking.objects.filter(municipality_id=mid).values_list("code", "id"))
    booked_tickets = []
    for code, day, minute, service in came:
        row = visit(day, minute, service, True)
        booked_tickets.append((*row, ids[code], _at(day, minute)))
    written += _copy(
        kind, "reservations_ticket", ticket_cols + ", booking_id, booked_for", booked_tickets
    )
    # Applications: about 65 % online; most completed within a few weeks.
    application_rows, now = [], timezone.now()
    channels = ["online"] * 60 + ["bundle"] * 5 + ["counter"] * 35
    for n, day in enumerate(pick_days(applications_n)):
        procedure, version, standard = rng.choice(town["procedures"])
        submitted = _at(day, rng.uniform(0, 1440))
        closed = submitted + timedelta(days=rng.gammavariate(2.0, standard / 2.6))
        done = closed < now
        application_rows.append(
            (
                mid,
                f"R{n:09d}",
                procedure,
                version,
                rng.choice(channels),
                "completed" if done else "in_review",
                "{}",
                "",
                "",
                "",
                "ja",
                False,
                "",
                "!",
                submitted,
                now,
                1,
                "",
                closed if done else None,
                "",
                "",
                "",
            )
        )
    written += _copy(
        kind,
        "applications_application",
        "municipality_id, receipt_number, procedure_id, form_version_id, channel, status, "
        "answers, applicant_name, applicant_kana, contact_email, language, easy_japanese, "
        "access_code_salt, access_code_hash, submitted_at, updated_at, version, search_key, closed_at, "
        "handoff_method, idempotency_key_hash, request_digest",
        application_rows,
    )
    faq_rows = []
    for n in range(faq_n):
        day = today - timedelta(days=rng.randrange(1, 366))
        answered = rng.random() < 0.8
        faq_rows.append(
            (
                mid,
                f"{mid:08x}-0000-4000-8000-{n:012x}",
                _at(day, rng.uniform(360, 1380)),
                "見本",
                "見本",
                "ja",
                answered,
                0.7 if answered else 0.1,
                "",
                (rng.random() < 0.7) if rng.random() < 0.4 else None,
            )
        )
    written += _copy(
        kind,
        "faq_faqquerylog",
        "municipality_id, public_id, created_at, query, query_key, language, answered, "
        "confidence, top_doc, helpful",
        faq_rows,
    )
    return written - len(booked_tickets)  # a booked visitor's ticket is the booking's event


def _copy(kind: str, table: str, columns: str, rows: list[tuple]) -> int:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite (no model instances)."""
    from django.db import connection, transaction

    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if kind == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (our own names)
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, [_sqlite_row(r) for r in rows[start : start + BATCH]])
    return len(rows)


def _sqlite_row(row: tuple) -> tuple:
    """SQLite stores datetimes as UTC text the way Django writes them."""
    return tuple(
        v.astimezone(ZoneInfo("UTC")).replace(tzinfo=None).isoformat(" ")
        if isinstance(v, datetime)
        else v
        for v in row
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
