"""CSV downloads: the same rows as the page's data table; the open data suppresses small counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.insights.opendata import COLUMNS, NOTE_SUPPRESSED

from .factories import small_town

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_every_chart_downloads_as_csv() -> None:
    town = small_town()
    client = Client()
    client.force_login(StaffUserFactory(municipality=town["municipality"], manager=True))
    query = f"?first={town['day']:%Y-%m-%d}&last={town['day']:%Y-%m-%d}"
    page = client.get(reverse("insights:dashboard") + query).content.decode()
    slugs = ["volume-weekly", "by-procedure", "heatmap-visits", "waits", "lead-time", "faq"]
    for slug in slugs:
        assert f"/staff/insights/csv/?chart={slug}&amp;first=" in page
        response = client.get(reverse("insights:table_csv") + query + f"&chart={slug}")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
    waits = _rows(client.get(reverse("insights:table_csv") + query + "&chart=waits").content)
    assert waits[0][1] == "待ち時間 90%（分）"
    assert waits[1][1:] == ["30", "10", "50.0", "5", "7.5", "4"]
    assert client.get(reverse("insights:table_csv") + "?chart=nope").status_code == 404
    assert client.get(reverse("insights:table_csv")).status_code == 302


def test_open_data_suppresses_small_counts() -> None:
    town = small_town()
    client = Client()
    client.force_login(StaffUserFactory(municipality=town["municipality"], manager=True))
    rows = _rows(client.get(reverse("insights:opendata_csv")).content)
    assert rows[0] == COLUMNS
    body = rows[1:]
    assert body, "the hand-made month has figures"
    # Four applications and four tickets: every figure is below 10, so all are blank.
    assert all(r[5] == "" and r[7] == NOTE_SUPPRESSED for r in body)
    assert {r[3] for r in body} >= {"applications", "counter_visits", "wait_median"}
    # Aggregates only: no name, receipt number or question text.
    text = "\n".join(",".join(r) for r in body)
    assert "q" not in {c for r in body for c in r}
    assert "R-" not in text


def test_impossible_periods_fall_back_to_the_default() -> None:
    town = small_town()
    client = Client()
    client.force_login(StaffUserFactory(municipality=town["municipality"], manager=True))
    for query in ("?first=9999-12-31&last=9999-12-31", "?first=2026-02-01&last=2025-01-01"):
        page = client.get(reverse("insights:dashboard") + query)
        assert page.status_code == 200
        assert 'role="alert"' in page.content.decode()


def test_chart_csv_neutralises_formula_cells() -> None:
    """Names that reach a chart (procedures, services) are exported as text, never formulas."""
    from madoguchi.core.tests.test_csv import is_formula

    town = small_town()
    procedure = town["procedure"]
    procedure.name = '=HYPERLINK("http://example.invalid","x")'
    procedure.save()
    service = town["service"]
    service.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    service.save()
    client = Client()
    client.force_login(StaffUserFactory(municipality=town["municipality"], manager=True))
    query = f"?first={town['day']:%Y-%m-%d}&last={town['day']:%Y-%m-%d}"
    cells = []
    for slug in ("by-procedure", "waits", "lead-time"):
        response = client.get(reverse("insights:table_csv") + query + f"&chart={slug}")
        cells += [cell for row in _rows(response.content) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells) and any("SUM" in cell for cell in cells)
    assert not [cell for cell in cells if is_formula(cell)]
