"""The bulk export page does not surprise: the "only new" default shows what it will take and
since when, and any earlier export downloads again in one click."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

EXPORT = "/staff/applications/export/"


def _standing_row(page: str, procedure_name: str) -> str:
    table = page.split('id="standings"')[1].split("</table>")[0]
    return next(row for row in table.split("<tr>") if procedure_name in row)


def test_the_page_shows_the_last_export_and_what_only_new_would_take(client):
    first = ApplicationFactory()
    procedure = first.procedure
    manager = StaffUserFactory(municipality=first.municipality, manager=True)
    client.force_login(manager)

    row = _standing_row(client.get(EXPORT).content.decode(), procedure.name)
    assert "まだ出力していません" in row and "1件" in row

    response = client.post(
        EXPORT, {"procedure": procedure.pk, "encoding": "utf-8-sig", "only_new": "on"}
    )
    assert response.status_code == 302
    ApplicationFactory.create_batch(2, form_version=first.form_version)
    page = client.get(EXPORT).content.decode()
    row = _standing_row(page, procedure.name)
    assert timezone.localtime().strftime("%Y-%m-%d") in row
    assert "（1件）" in row  # the last export took one
    assert "2件" in row  # two arrived since

    # Each earlier export downloads again, the same rows, in one click from the list.
    link = re.search(r'<a href="(/staff/applications/export/\d+/download/)"', page).group(1)
    again = client.get(link)
    assert again.status_code == 200
    body = b"".join(again.streaming_content).decode("utf-8-sig")
    assert first.receipt_number in body
    assert body.count("\n") == 2  # header and the one application of that export
