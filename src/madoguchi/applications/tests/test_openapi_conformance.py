"""The API answers as its OpenAPI document says: schemathesis `--checks all` on a live server.

The public and the hand-off API, with a real hand-off token (both scopes), a municipality with
an application (their identifiers fixed in the path), and a bounded number of generated requests per operation and a fixed seed, so
the run stays well under a minute. The CLI is used (not the pytest plugin, whose lazy schema does
not run under pytest 9); the fuller command is in docs/handoff.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from madoguchi.applications.handoff import services as handoff_services
from madoguchi.applications.handoff.models import Scope
from madoguchi.applications.tests.factories import ApplicationFactory


@pytest.mark.django_db(transaction=True)
def test_api_conforms_to_its_document_schemathesis_all_checks(
    live_server: Any, tmp_path: Path
) -> None:
    application = ApplicationFactory()
    _token, secret = handoff_services.api_token_create(
        municipality=application.municipality,
        name="schemathesis",
        scopes=[Scope.READ, Scope.HANDOFF],
    )
    # Real identifiers in the path, so requests get past the look-ups to the operations' logic.
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        Path(__file__).with_name("schemathesis.toml").read_text(encoding="utf-8")
        + "\n[parameters]\n"
        f'"path.code" = "{application.municipality.code}"\n'
        f'"path.slug" = "{application.procedure.slug}"\n'
        f'"path.receipt_number" = "{application.receipt_number}"\n',
        encoding="utf-8",
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            f"{live_server.url}/api/openapi.json",
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {secret}",
            "--max-examples",
            "8",
            "--seed",
            "20261205",
            "--generation-database",
            "none",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=tmp_path,  # schemathesis keeps a cache directory where it runs
    )
    summary = done.stdout[-6000:]
    assert done.returncode == 0, summary
    assert "Tested: 9" in summary, summary  # every operation of the three APIs
    assert " passed" in summary and "failure" not in summary.split("SUMMARY")[-1], summary
