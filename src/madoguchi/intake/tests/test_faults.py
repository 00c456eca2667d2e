"""An interrupted import leaves no partial application; a re-run completes it; a third changes
nothing — for an exception between applications and for a killed process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from madoguchi.applications.models import Application, ApplicationEvent, Attachment
from madoguchi.intake.models import ImportedApplication, ImportRun
from madoguchi.intake.services import bundle_import


def _consistent(municipality: Any) -> list[str]:
    """Receipt numbers, after checking every application is whole (event, record, attachment)."""
    receipts = []
    for app in Application.objects.for_municipality(municipality):
        assert app.events.count() == 1
        assert ImportedApplication.objects.filter(application=app).exists()
        assert app.attachments.count() == 1
        receipts.append(app.receipt_number)
    return sorted(receipts)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "two-workers"])
def test_exception_between_applications(town, version, make_bundle, workers):
    data = make_bundle(10).getvalue()
    calls = {"n": 0}

    def fail_on_third_chunk(importer: Any) -> None:
        def before_write(accepted: list[Any]) -> None:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("injected fault")

        importer.before_write = before_write

    with pytest.raises(RuntimeError, match="injected"):
        bundle_import(
            municipality=town,
            path_or_file=io.BytesIO(data),
            chunk_size=3,
            workers=workers,
            _hook=fail_on_third_chunk,
        )
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
    assert len(_consistent(town)) == 6
    assert Attachment.objects.filter(application__isnull=True).count() == 0

    report = bundle_import(
        municipality=town, path_or_file=io.BytesIO(data), chunk_size=3, workers=workers
    )
    assert (report.imported, report.duplicates) == (4, 6)
    assert len(_consistent(town)) == 10
    before = sorted(Application.objects.values_list("receipt_number", "updated_at"))
    events = ApplicationEvent.objects.count()
    report = bundle_import(municipality=town, path_or_file=io.BytesIO(data), chunk_size=3)
    assert (report.imported, report.duplicates) == (0, 10)
    assert sorted(Application.objects.values_list("receipt_number", "updated_at")) == before
    assert ApplicationEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_write_failure_inside_a_chunk_rolls_back_the_whole_application(
    town, version, make_bundle, monkeypatch
):
    from madoguchi.intake import services

    original = services._insert

    def broken(model: Any, objs: Any, **kwargs: Any) -> Any:
        if model is ImportedApplication:
            raise RuntimeError("disk full")
        return original(model, objs, **kwargs)

    monkeypatch.setattr(services, "_insert", broken)
    with pytest.raises(RuntimeError):
        bundle_import(municipality=town, path_or_file=make_bundle(2))
    # Applications, events and attachment rows were written before the failing insert: all gone.
    assert not Application.objects.exists()
    assert not ApplicationEvent.objects.exists()
    assert not Attachment.objects.exists()
    monkeypatch.setattr(services, "_insert", original)
    assert services.bundle_import(municipality=town, path_or_file=make_bundle(2)).imported == 2


@contextlib.contextmanager
def _scratch_database(tmp_path: Path) -> Iterator[str]:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'killed.sqlite3'}"
        return
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = f"madoguchi_kill_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_killed_process(tmp_path: Path) -> None:
    bundle = str(tmp_path / "bundle.zip")
    with _scratch_database(tmp_path) as url:
        env = {**os.environ, "DATABASE_URL": url, "MADOGUCHI_DATA_DIR": str(tmp_path)}
        worker = [sys.executable, "-m", "madoguchi.intake.tests.fault_worker"]

        def run(*args: str) -> str:
            done = subprocess.run(  # noqa: S603 — our own interpreter and module
                [*worker, *args], env=env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr[-2000:]
            return done.stdout

        run("setup", bundle, "12")
        proc = subprocess.Popen(  # noqa: S603 — our own interpreter and module
            [*worker, "import", bundle], env=env, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        seen = 0
        for line in proc.stdout:
            if line.startswith("chunk"):
                seen += 1
                if seen == 3:  # two chunks committed, the third about to be written
                    proc.send_signal(signal.SIGKILL)
                    break
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL

        rows = json.loads(run("inspect", bundle))
        assert 0 < len(rows) < 12
        assert all(r["events"] == 1 and r["attachments"] == 1 and r["record"] for r in rows)

        assert "done" in run("import", bundle)
        rows = json.loads(run("inspect", bundle))
        assert len(rows) == 12
        assert all(r["events"] == 1 and r["attachments"] == 1 and r["record"] for r in rows)

        out = run("import", bundle)
        assert "done 0 12 0" in out
        assert json.loads(run("inspect", bundle)) == rows
