"""The JSON API: catalogue, submission (hostile input included) and status."""

import json

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.applications.models import Application, ApplicationEvent
from madoguchi.applications.tests.factories import VALID_ANSWERS, FormVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return FormVersionFactory(without_files=True)


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_openapi_document_lists_the_endpoints(client):
    doc = client.get("/api/openapi.json").json()
    paths = set(doc["paths"])
    assert "/api/v1/{code}/procedures" in paths
    assert "/api/v1/{code}/applications" in paths
    assert "/api/v1/{code}/applications/status" in paths


def test_healthz(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_catalogue_and_submit_and_status(client, version):
    code = version.procedure.municipality.code
    listing = client.get(f"/api/v1/{code}/procedures").json()
    assert [p["slug"] for p in listing] == [version.procedure.slug]
    detail = client.get(f"/api/v1/{code}/procedures/{version.procedure.slug}").json()
    assert detail["form_version"] == 1
    body = {"procedure": version.procedure.slug, "form_version": 1, "answers": VALID_ANSWERS}
    response = _post(client, f"/api/v1/{code}/applications", body)
    assert response.status_code == 201, response.content
    created = response.json()
    status = _post(
        client,
        f"/api/v1/{code}/applications/status",
        {"receipt_number": created["receipt_number"], "access_code": created["access_code"]},
    ).json()
    assert status["status"] == "received"
    assert status["status_label"] == "受付"
    assert [h["status"] for h in status["history"]] == ["received"]
    wrong = _post(
        client,
        f"/api/v1/{code}/applications/status",
        {"receipt_number": created["receipt_number"], "access_code": "99999999"},
    )
    assert wrong.status_code == 404


def test_invalid_answers_get_field_errors_in_japanese(client, version):
    code = version.procedure.municipality.code
    body = {
        "procedure": version.procedure.slug,
        "form_version": 1,
        "answers": {**VALID_ANSWERS, "birth_date": "2月30日", "email": "not-an-address"},
    }
    response = _post(client, f"/api/v1/{code}/applications", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"birth_date", "email"}
    assert Application.objects.count() == 0


def test_unknown_version_is_refused(client, version):
    code = version.procedure.municipality.code
    body = {"procedure": version.procedure.slug, "form_version": 9, "answers": VALID_ANSWERS}
    response = _post(client, f"/api/v1/{code}/applications", body)
    assert response.status_code == 422
    assert "form_version" in response.json()["errors"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
hostile_text = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "\x00",
        "\u202e",
        "A" * 10000,
        "令和99年13月40日",
        "ﾔﾏﾀﾞ",
        "😀",
    ]
) | st.text(max_size=200)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.dictionaries(
        st.sampled_from(["name", "birth_date", "email", "unknown", "name.family"]),
        json_values | hostile_text,
        max_size=5,
    )
)
def test_hostile_submissions_never_error_and_never_half_write(client, version, answers):
    cache.clear()  # every example is a new client: the submission limit is tested elsewhere
    code = version.procedure.municipality.code
    before = (Application.objects.count(), ApplicationEvent.objects.count())
    body = {"procedure": version.procedure.slug, "form_version": 1, "answers": answers}
    response = _post(client, f"/api/v1/{code}/applications", body)
    assert response.status_code in (201, 422), response.content
    after = (Application.objects.count(), ApplicationEvent.objects.count())
    if response.status_code == 422:
        assert after == before
        assert response.json()["errors"]
    else:
        assert after == (before[0] + 1, before[1] + 1)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values | hostile_text)
def test_malformed_bodies_get_a_clear_422(client, version, body):
    code = version.procedure.municipality.code
    response = client.post(
        f"/api/v1/{code}/applications", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert "message" in response.json()
    assert Application.objects.count() == 0


def test_broken_json_gets_a_clear_error(client, version):
    code = version.procedure.municipality.code
    response = client.post(
        f"/api/v1/{code}/applications", data=b"{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert Application.objects.count() == 0


def test_api_docs_use_local_assets(client):
    """The interactive docs load their scripts from this server (closed networks, strict CSP)."""
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page.split("</head>")[0]


def _submit_with_key(client, version, key, answers=VALID_ANSWERS):
    code = version.procedure.municipality.code
    body = {"procedure": version.procedure.slug, "form_version": version.number, "answers": answers}
    return client.post(
        f"/api/v1/{code}/applications",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_a_retry_with_the_same_idempotency_key_returns_the_first_application(
    client, version, mailoutbox, django_capture_on_commit_callbacks
):
    key = "b6f1c7a2-1e0f-4f7c-8f45-3c8e8d1f0a77"
    with django_capture_on_commit_callbacks(execute=True):
        first = _submit_with_key(client, version, key)
        again = _submit_with_key(client, version, key)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()  # the same receipt number and access code
    assert Application.objects.count() == 1
    assert len(mailoutbox) == 1
    # The access code given back opens the status lookup.
    code = version.procedure.municipality.code
    status = _post(
        client,
        f"/api/v1/{code}/applications/status",
        {
            "receipt_number": first.json()["receipt_number"],
            "access_code": again.json()["access_code"],
        },
    )
    assert status.status_code == 200
    # Without a key, or with another key, each request is a new application.
    assert (
        _submit_with_key(client, version, key[::-1]).json()["receipt_number"]
        != (first.json()["receipt_number"])
    )
    assert Application.objects.count() == 2


def test_an_idempotency_key_reused_for_another_body_or_malformed_is_refused(client, version):
    key = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    assert _submit_with_key(client, version, key).status_code == 201
    other = {**VALID_ANSWERS, "email": "other@example.jp"}
    reused = _submit_with_key(client, version, key, answers=other)
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json()["errors"]
    for bad in ("short", "x" * 256, "with space in it"):
        refused = _submit_with_key(client, version, bad)
        assert refused.status_code == 422, bad
        assert [k for k in refused.json()["errors"] if k.endswith("Idempotency-Key")], bad
    assert Application.objects.count() == 1
