"""Parallel submissions of one draft / one Idempotency-Key, by threads with one connection each.

Used in-process by test_double_submission on PostgreSQL, and as a subprocess against a fresh
SQLite *file* database (`python -m madoguchi.applications.tests.race`): pytest-django's in-memory
SQLite is a shared-cache database whose table locks do not wait, unlike the real file database
(the same arrangement as reservations/tests/race.py).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

THREADS = 16
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
APPLICANT = {
    "name__family": "山田",
    "name__given": "太郎",
    "name__family_kana": "ヤマダ",
    "name__given_kana": "タロウ",
    "birth_date": "令和元年5月1日",
    "email": "taro@example.jp",
}


def _run(attempt: Callable[[int], str]) -> Counter[str]:
    """THREADS attempts released at once by a barrier, each on its own connection."""
    from django.db import connections

    barrier = threading.Barrier(THREADS)

    def wrapped(i: int) -> str:
        try:
            barrier.wait(timeout=60)
            return attempt(i)
        except Exception as exc:  # reported, so the caller's assertion shows it
            return f"error:{type(exc).__name__}:{exc}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return Counter(pool.map(wrapped, range(THREADS)))


def _receipt_mails(receipt_number: str) -> int:
    from django.core import mail

    return sum(receipt_number in m.body for m in getattr(mail, "outbox", []))


def check_page_posts() -> dict[str, Any]:
    """One browser session's draft (with an attachment), its check page POSTed THREADS times."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from madoguchi.applications.models import Application, Attachment

    from .factories import FormVersionFactory

    version = FormVersionFactory()
    code = version.procedure.municipality.code
    slug = version.procedure.slug
    base = f"/{code}/apply/{slug}"
    browser = Client()
    browser.post(f"/{code}/procedures/{slug}/apply/")
    browser.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
    upload = SimpleUploadedFile("住民票.pdf", PDF, content_type="application/pdf")
    browser.post(f"{base}/documents/", {"id_document": upload, "_action": "next"})
    assert Attachment.objects.filter(application__isnull=True).count() == 1

    def attempt(_i: int) -> str:
        tab = Client()  # the same session cookie: a double click, or many tabs
        tab.cookies = browser.cookies
        response = tab.post(f"{base}/check/")
        if response.status_code == 302 and response["Location"] == f"/{code}/complete/":
            return "complete"
        if response.status_code == 302 and response["Location"] == f"{base}/check/":
            return "replayed"
        if response.status_code == 200 and "この申請は受付済みです" in response.content.decode():
            return "received"
        return f"unexpected:{response.status_code}"

    results = _run(attempt)
    applications = list(Application.objects.filter(procedure=version.procedure))
    receipt = applications[0].receipt_number if applications else ""
    # Afterwards, the Back button (a step page, the check page) in the same browser.
    back_pages = [browser.get(f"{base}/{step}/") for step in ("applicant", "documents", "check")]
    return {
        "results": dict(results),
        "applications": len(applications),
        "mails": _receipt_mails(receipt),
        "attachment_owners": sorted(
            {str(a.application_id) for a in Attachment.objects.filter(draft__isnull=True)}
        ),
        "application_id": str(applications[0].pk) if applications else "",
        "back": [
            {
                "status": page.status_code,
                "receipt_shown": bool(receipt) and receipt in page.content.decode(),
                "access_code_shown": 'id="access-code"' in page.content.decode(),
            }
            for page in back_pages
        ],
    }


def api_posts() -> dict[str, Any]:
    """The API submission POSTed THREADS times at once with one Idempotency-Key."""
    from django.test import Client

    from madoguchi.applications.models import Application

    from .factories import VALID_ANSWERS, FormVersionFactory

    version = FormVersionFactory(without_files=True)
    code = version.procedure.municipality.code
    body = json.dumps(
        {
            "procedure": version.procedure.slug,
            "form_version": version.number,
            "answers": VALID_ANSWERS,
        }
    )

    def attempt(_i: int) -> str:
        response = Client().post(
            f"/api/v1/{code}/applications",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "race-4d0c3c1e-7d7f-4b7e-9a47-0b5b0f3c2a11"},
        )
        if response.status_code != 201:
            return f"unexpected:{response.status_code}:{response.content.decode()[:200]}"
        data = response.json()
        replayed = response.get("Idempotent-Replayed") == "true"
        return f"{'replayed' if replayed else 'created'}:{data['receipt_number']}:{data['access_code']}"

    results = _run(attempt)
    applications = list(Application.objects.filter(procedure=version.procedure))
    receipt = applications[0].receipt_number if applications else ""
    return {
        "results": dict(results),
        "applications": len(applications),
        "receipt_number": receipt,
        "mails": _receipt_mails(receipt),
    }


def main() -> int:
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()  # the test client's host, mails kept in mail.outbox
    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps({"check_page": check_page_posts(), "api": api_posts()}))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings.test")
    sys.exit(main())
