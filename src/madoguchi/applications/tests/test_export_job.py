"""Large CSV exports are written by a background job; the staff member downloads the file
from the run's page when it is ready (audited), never waiting on a long request."""

from __future__ import annotations

import csv
import io
import re

import pytest

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.core.models import AuditEvent
from madoguchi.jobs.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

STAFF = "/staff/applications/"


@pytest.fixture
def application():
    return ApplicationFactory(receipt_number="20250401-000001")


@pytest.fixture
def manager(application, client):
    user = StaffUserFactory(municipality=application.municipality, manager=True)
    client.force_login(user)
    return user


def _export(client, application):
    body = {"procedure": application.procedure_id, "encoding": "utf-8-sig", "only_new": "on"}
    return client.post(f"{STAFF}export/", body)


def test_a_large_export_is_a_job_whose_file_is_downloaded(
    client, application, manager, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_STREAM_MAX_ROWS = 0  # every export counts as large
    with django_capture_on_commit_callbacks(execute=True):
        response = _export(client, application)
    job = Job.objects.get(kind="applications.export")
    assert (job.state, job.done, job.total, job.started_by) == (Job.State.DONE, 1, 1, manager)
    page = client.get(response["Location"]).content.decode()
    link = re.search(r'id="download" href="([^"]+)"', page).group(1)
    before = AuditEvent.objects.filter(action="export").count()
    download = client.get(link)
    assert download.status_code == 200
    assert 'attachment; filename="' in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][0] == "20250401-000001"
    assert AuditEvent.objects.filter(action="export").count() == before + 1


def test_an_export_in_progress_shows_progress_and_no_file_yet(
    client, application, manager, settings
):
    settings.EXPORT_STREAM_MAX_ROWS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = _export(client, application)
    page = client.get(response["Location"]).content.decode()
    assert 'id="job-state"' in page and 'http-equiv="refresh"' in page
    assert 'id="download"' not in page
    run_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert client.get(f"{STAFF}export/{run_id}/download/").status_code == 404
    assert client.post(f"{STAFF}export/{run_id}/resume/").status_code == 302  # not resumable


def test_small_exports_still_stream(client, application, manager):
    response = _export(client, application)
    assert not Job.objects.exists()
    page = client.get(response["Location"]).content.decode()
    link = re.search(r'id="download" href="([^"]+)"', page).group(1)
    assert client.get(link).status_code == 200
