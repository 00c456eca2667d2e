"""The `madoguchi` command: one entry point for serving, the demo, benchmarks and management.

madoguchi demo [--port N]       migrate, load the demo municipality, serve on 127.0.0.1
madoguchi migrate               create or upgrade the database (before `serve`, after each upgrade)
madoguchi serve [--port N]      the production server (gunicorn; refuses to start on pending
                                migrations or a failing system check)
madoguchi bench NAME [...]      a benchmark from bench/NAME.py
madoguchi faq run|evaluate ...  FAQ engine evaluation
madoguchi card-agent ...        read a My Number card on the counter PC (docs/card-agent.md)
madoguchi insights erlang ...   Erlang C staffing check (windows for a service-level target)
madoguchi forms print --procedure SLUG --answers ANSWERS.json --out OUT.pdf
                                a procedure's official form filled with answers, as PDF
madoguchi region share --agreement AGREEMENT.json
                                cost sharing of a joint system (docs/cost-sharing.md)
madoguchi <django command> ...  any Django management command (migrate, createsuperuser, …)
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _setup_django(default_settings: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    import django

    django.setup()


def default_workers() -> int:
    """WEB_WORKERS, else gunicorn's rule of thumb: 2 × cores + 1 (requests wait on the DB)."""
    return int(os.environ.get("WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1)


def default_threads() -> int:
    """WEB_THREADS: requests one web process serves at once (gthread workers)."""
    return int(os.environ.get("WEB_THREADS") or 8)


def gunicorn_arguments(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The production server's options (madoguchi.gunicorn_config holds the rest)."""
    return [
        "--config",
        "python:madoguchi.gunicorn_config",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


def gunicorn_command(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The production server as a command line (for benchmarks that start it themselves)."""
    arguments = gunicorn_arguments(host=host, port=port, workers=workers, threads=threads)
    return [sys.executable, "-m", "gunicorn", *arguments]


def _bench(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        names = sorted(p.stem.replace("_", "-") for p in (PROJECT_DIR / "bench").glob("[a-z]*.py"))
        print("usage: madoguchi bench NAME [options]; NAME is one of: " + ", ".join(names))
        return 2
    name = argv[0].replace("-", "_")
    path = PROJECT_DIR / "bench" / f"{name}.py"
    if not path.is_file():
        print(f"madoguchi bench: no benchmark named {argv[0]!r} in {path.parent}", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.main(argv[1:]) or 0)


def _pending_migrations() -> list[str]:
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _collectstatic() -> None:
    """Copy static files for whitenoise; a lock keeps servers sharing a data dir from racing.

    Not needed when whitenoise serves them from the apps (WHITENOISE_USE_FINDERS, development).
    """
    import fcntl

    from django.conf import settings
    from django.core.management import call_command

    if settings.WHITENOISE_USE_FINDERS:
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise looks there
        return
    with open(Path(settings.DATA_DIR) / ".collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command("collectstatic", interactive=False, verbosity=0)


def _display_width(text: str) -> int:
    """Columns a terminal gives the text (Japanese characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def demo_directory() -> str:
    """Absolute URLs of every door of the demo town, printed when `madoguchi demo` starts."""
    from django.conf import settings

    from madoguchi.demo import DEMO_CODE, DEMO_PASSWORD, DEMO_STAFF
    from madoguchi.reservations.selectors import policy_get
    from madoguchi.tenancy.access import get_active_municipality

    base = settings.PUBLIC_BASE_URL.rstrip("/")
    town = get_active_municipality(DEMO_CODE)
    code = town.code
    staff = ", ".join([*(name for name, *_ in DEMO_STAFF), "demo-prefecture"])
    rows = [
        ("Residents (住民)", f"{base}/{code}/"),
        ("Visit booking (来庁予約)", f"{base}/{code}/reserve/"),
        ("FAQ (よくある質問)", f"{base}/{code}/faq/"),
        (
            "Kiosk (発券機)",
            f"{base}/{code}/reserve/kiosk/{policy_get(municipality=town).kiosk_key}/",
        ),
        ("Calling display (呼出表示)", f"{base}/{code}/reserve/display/"),
        ("Staff (職員)", f"{base}/staff/login/"),
        ("Prefecture (都道府県)", f"{base}/staff/region/"),
        ("Admin (管理画面)", f"{base}/staff/admin/"),
    ]
    width = max(_display_width(label) for label, _ in rows)
    lines = [f"Demo town: {town.name} ({code})"]
    lines += [f"  {label}{' ' * (width - _display_width(label))}  {url}" for label, url in rows]
    lines.append(f"  Staff sign-in: {staff} — password {DEMO_PASSWORD}")
    lines.append(f"  Mails the demo sends: {Path(settings.EMAIL_FILE_PATH)}")
    return "\n".join(lines)


def _serve(argv: list[str], *, demo: bool) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="madoguchi demo" if demo else "madoguchi serve")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=default_threads())
    args = parser.parse_args(argv)
    # The web processes read the thread count too (the display stream's share of them).
    os.environ["WEB_THREADS"] = str(args.threads)
    if demo:
        # Links in the demo's mails point at the port it serves on.
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://{args.host}:{args.port}")
    _setup_django("madoguchi.settings.dev" if demo else "madoguchi.settings.production")
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    if demo:
        # The one-command demo creates and upgrades its own database.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_load", verbosity=0)
        print(demo_directory(), flush=True)
    else:
        try:
            call_command("check")
        except SystemCheckError as exc:
            print(f"madoguchi serve: not starting.\n{exc}", file=sys.stderr)
            return 1
        pending = _pending_migrations()
        if pending:
            print(
                f"madoguchi serve: not starting: {len(pending)} migration(s) not applied "
                f"({', '.join(pending[:3])}{', …' if len(pending) > 3 else ''}).\n"
                "Run `madoguchi migrate` first (see docs/operations.md, Upgrade).",
                file=sys.stderr,
            )
            return 1
        _collectstatic()
    print(f"Madoguchi: http://{args.host}:{args.port}/", flush=True)
    # gunicorn in this process: the application loaded here (preload_app) is shared by the
    # forked workers; no database connection may cross the fork.
    from django.db import connections
    from gunicorn.app.wsgiapp import run

    connections.close_all()
    arguments = gunicorn_arguments(
        host=args.host, port=args.port, workers=args.workers, threads=args.threads
    )
    sys.argv = ["madoguchi serve", *arguments]
    run()
    return 0


# Two-word commands named in the documentation, mapped to their management commands.
SUBCOMMANDS = {
    ("intake", "import"): "intake_import",
    ("retention", "purge"): "retention_purge",
    ("linkage", "import"): "linkage_import",
    ("notifications", "retry"): "notifications_retry",
    ("tasks", "prune"): "tasks_prune",
    ("jobs", "prune"): "jobs_prune",
    ("forms", "print"): "forms_print",
    ("preinput", "prune"): "preinput_prune",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "help"
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    if command == "bench":
        return _bench(args[1:])
    if command == "faq":
        # The evaluation commands use the engine alone: no settings, no database.
        from madoguchi.faq.cli import main as faq_main

        return faq_main(args[1:])
    if command == "card-agent":
        # Runs on the counter PC: no settings, no database, nothing on disk.
        from madoguchi.counter.card.agent import main as card_agent_main

        return card_agent_main(args[1:])
    if command == "insights" and args[1:2] == ["erlang"]:
        # A pure calculator: no settings, no database.
        from madoguchi.insights.staffing.cli import main as insights_main

        return insights_main(args[1:])
    if command == "region" and args[1:2] == ["share"]:
        # A pure calculator: no settings, no database, no SECRET_KEY.
        from madoguchi.region.cost_sharing import share_command

        return share_command(args[2:])
    if command in {"demo", "serve"}:
        return _serve(args[1:], demo=command == "demo")
    settings_module = "madoguchi.settings.production"
    if args[:2] == ["forms", "print"] and not os.environ.get("SECRET_KEY"):
        # A check on a machine without a configured server: the development settings (their
        # database, if any) and else the standard library's procedures.
        settings_module = "madoguchi.settings.dev"
    if len(args) >= 2 and (args[0], args[1]) in SUBCOMMANDS:
        args = [SUBCOMMANDS[(args[0], args[1])], *args[2:]]
    _setup_django(settings_module)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["madoguchi", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
