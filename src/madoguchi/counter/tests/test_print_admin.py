"""A municipality's administrator sets a procedure's print layout in the admin."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.counter.models import PrintLayout

from . import pdftools
from .test_print_render import official_form

pytestmark = pytest.mark.django_db

PLACEMENTS = {
    "format": 1,
    "fields": [
        {"key": "name", "page": 1, "x": 45, "y": 65, "size": 14, "max_width": 60},
        {"key": "_receipt_number", "page": 1, "x": 150, "y": 20, "size": 10},
    ],
}


def test_admin_uploads_the_form_and_the_counter_prints_on_it(client):
    application = ApplicationFactory(channel="counter", receipt_number="20261205-000777")
    admin = StaffUserFactory(municipality=application.municipality, admin=True)
    client.force_login(admin)
    add = reverse("admin:counter_printlayout_add")
    assert client.get(add).status_code == 200
    wrong = {**PLACEMENTS, "fields": [{"key": "spouse", "page": 1, "x": 1, "y": 1}]}
    refused = client.post(
        add,
        {
            "procedure": application.procedure.pk,
            "kind": "overlay",
            "placements": json.dumps(wrong),
            "base_pdf": SimpleUploadedFile("様式.pdf", official_form(), "application/pdf"),
        },
    )
    assert refused.status_code == 200
    assert "様式にない項目が指定されています：spouse" in refused.content.decode()
    assert not PrintLayout.objects.exists()

    saved = client.post(
        add,
        {
            "procedure": application.procedure.pk,
            "kind": "overlay",
            "placements": json.dumps(PLACEMENTS),
            "base_pdf": SimpleUploadedFile("様式.pdf", official_form(), "application/pdf"),
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    layout = PrintLayout.objects.get()
    assert layout.municipality == application.municipality and layout.kind == "overlay"

    clerk = StaffUserFactory(municipality=application.municipality, counter=True)
    client.force_login(clerk)
    response = client.get(f"/staff/counter/applications/{application.pk}/print/")
    assert response.status_code == 200
    text = pdftools.text(response.content)
    assert (
        "住民異動届（様式第1号）" in text
        and "山田" in text
        and "花子" in text
        and "20261205-000777" in text
    )
