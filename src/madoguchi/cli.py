"""The `madoguchi` command: one entry point for serving, the demo, benchmarks and management.

madoguchi demo [--port N]       migrate, load the demo municipality, serve on 127.0.0.1
madoguchi migrate               create or upgrade the database (before `serve`, after each upgrade)
madoguchi serve [--port N]      the production server (gunicorn; refuses to start on pending
                                migrations or a failing system check)
madoguchi bench NAME [...]      a benchmark from bench/NAME.py
madoguchi faq run|evaluate ...  FAQ engine evaluation
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
    _setup_django("madoguchi.settings.dev" if demo else "madoguchi.settings.production")
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    if demo:
        # The one-command demo creates and upgrades its own database.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_load")
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
    if command in {"demo", "serve"}:
        return _serve(args[1:], demo=command == "demo")
    if len(args) >= 2 and (args[0], args[1]) in SUBCOMMANDS:
        args = [SUBCOMMANDS[(args[0], args[1])], *args[2:]]
    _setup_django("madoguchi.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["madoguchi", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
