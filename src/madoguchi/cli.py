"""The `madoguchi` command: one entry point for serving, the demo, benchmarks and management.

madoguchi demo [--port N]       migrate, load the demo municipality, serve on 127.0.0.1
madoguchi serve [--port N]      the production server (gunicorn)
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


def _serve(argv: list[str], *, demo: bool) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="madoguchi demo" if demo else "madoguchi serve")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args(argv)
    _setup_django("madoguchi.settings.dev" if demo else "madoguchi.settings.production")
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if demo:
        call_command("demo_load")
    else:
        call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Madoguchi: http://{args.host}:{args.port}/", flush=True)
    os.execvp(  # noqa: S606 — replace this process with the server
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "madoguchi.wsgi",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            "--env",
            f"DJANGO_SETTINGS_MODULE={os.environ['DJANGO_SETTINGS_MODULE']}",
        ],
    )
    return 0  # not reached


# Two-word commands named in the documentation, mapped to their management commands.
SUBCOMMANDS = {
    ("intake", "import"): "intake_import",
    ("retention", "purge"): "retention_purge",
    ("linkage", "import"): "linkage_import",
    ("notifications", "retry"): "notifications_retry",
    ("tasks", "prune"): "tasks_prune",
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
