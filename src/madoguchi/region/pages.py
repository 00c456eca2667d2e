"""What every page of the prefecture console shares: the signed-in prefecture and CSV answers."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse

from madoguchi.accounts.access import staff_user
from madoguchi.core import csv as core_csv
from madoguchi.tenancy.models import Prefecture


def prefecture_of(request: HttpRequest) -> Prefecture:
    prefecture = staff_user(request).prefecture
    assert prefecture is not None  # the guard lets only prefecture users in
    return prefecture


def csv_response(rows: list[list[object]], filename: str) -> HttpResponse:
    """UTF-8 with a BOM (Excel opens it), cells made Excel-safe by core.csv."""
    out = io.StringIO()
    core_csv.writer(out).writerows(rows)
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
