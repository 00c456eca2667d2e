"""The FAQ index is built by a background job after a CSV import (or on request from the staff
list), stored, and loaded by processes instead of being built on a resident's question."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.faq import index_cache
from madoguchi.jobs.models import Job
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

CSV = (
    "id,question,answer,category,alt_questions,keywords,related_procedures,contact,status,last_reviewed\r\n"
    ",粗大ごみの出し方,予約制です。,ごみ,,,,,公開,\r\n"
)


def test_csv_import_builds_and_stores_the_index(
    client: Client,
    settings: Any,
    tmp_path: Path,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.FAQ_INDEX_DIR = tmp_path
    town = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    upload = io.BytesIO(CSV.encode())
    upload.name = "faq.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("faq_staff:import"), {"file": upload, "encoding": "auto"})
    assert response.status_code == 302
    job = Job.objects.get(kind="faq.index")
    assert (job.state, job.done, job.total) == (Job.State.DONE, 1, 1)
    (stored,) = tmp_path.glob("*.pickle")
    assert stored.name.startswith(f"{town.pk}-")
    index_cache.forget()

    def no_build() -> Any:
        raise AssertionError("the stored index should have been loaded")

    monkeypatch.setattr(index_cache, "new_index", no_build)
    index, _lock = index_cache.get_index(town)
    assert [d.question for d in index.documents()] == ["粗大ごみの出し方"]
    page = client.get(reverse("faq_staff:list")).content.decode()
    assert 'id="job-state"' in page and 'http-equiv="refresh"' not in page


def test_rebuild_button_queues_a_job_and_the_list_refreshes(client: Client, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    town = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    assert client.post(reverse("faq_staff:index_rebuild")).status_code == 302
    assert Job.objects.get(kind="faq.index").state == Job.State.QUEUED
    page = client.get(reverse("faq_staff:list")).content.decode()
    assert 'http-equiv="refresh"' in page
    other = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=other, manager=True))
    assert 'id="job-state"' not in client.get(reverse("faq_staff:list")).content.decode()
    assert client.get(reverse("faq_staff:index_rebuild")).status_code == 405
