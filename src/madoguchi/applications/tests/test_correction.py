"""The 補正 loop without a browser: request, the resident's link, resubmission, the diff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import workflow
from madoguchi.applications.models import Application, CorrectionRequest
from madoguchi.applications.selectors import application_public_events, correction_diff
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]


@pytest.fixture
def issued():
    application = ApplicationFactory(in_review=True)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    result = workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=1,
        field_keys=["email"],
        message="メールアドレスに誤りがあるようです。",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    return result, manager


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.parametrize(
    ("keys", "message", "days", "field"),
    [
        ([], "直してください", 1, "fields"),
        (["no_such_field"], "直してください", 1, "fields"),
        (["email"], "  ", 1, "message"),
        (["email"], "直してください", -1, "deadline"),
    ],
)
def test_a_request_needs_fields_a_message_and_a_future_deadline(keys, message, days, field):
    application = ApplicationFactory(in_review=True)
    actor = StaffUserFactory(municipality=application.municipality, manager=True)
    with pytest.raises(workflow.WorkflowError) as exc:
        workflow.correction_request(
            application=application,
            actor=actor,
            expected_version=1,
            field_keys=keys,
            message=message,
            deadline=timezone.localdate() + timedelta(days=days),
        )
    assert exc.value.field == field
    assert Application.objects.get(pk=application.pk).status == "in_review"
    assert not CorrectionRequest.objects.exists()


def test_the_resident_edits_only_the_named_field_and_both_versions_stay(client, issued):
    result, manager = issued
    path = _path(result.url)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' in html and 'name="name__family"' not in html
    assert "メールアドレスに誤りがあるようです。" in html
    bad = client.post(path, {"email": "not-an-address", "_action": "submit"})
    assert bad.status_code == 200 and "mg-error" in bad.content.decode()
    assert Application.objects.get(pk=result.application.pk).status == "correction_requested"
    done = client.post(
        path,
        {"email": "ｈａｎａｋｏ２@example.jp", "name__family": "乗っ取り", "_action": "submit"},
    )
    assert done.status_code == 302
    assert "補正を受け付けました" in client.get(done["Location"]).content.decode()
    application = Application.objects.get(pk=result.application.pk)
    assert application.status == "in_review"
    assert application.answers["email"] == "hanako2@example.jp"
    assert application.answers["name"]["family"] == "山田"  # not a named field: unchanged
    correction = CorrectionRequest.objects.get()
    assert correction.answers_before["email"] == "hanako@example.jp"
    assert correction.answers_after["email"] == "hanako2@example.jp"
    diff = correction_diff(correction=correction)
    assert [(d.label, d.before, d.after) for d in diff] == [
        ("メールアドレス", "hanako@example.jp", "hanako2@example.jp")
    ]
    kinds = [e.kind for e in application_public_events(application=application)]
    assert kinds[-2:] == ["status_changed", "resubmitted"]
    # The link works once.
    assert client.get(path).status_code == 404
    client.force_login(manager)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert "hanako@example.jp" in detail and "hanako2@example.jp" in detail and "<del>" in detail


def test_the_link_stops_after_the_deadline_a_decision_or_in_another_town(client, issued):
    result, manager = issued
    path = _path(result.url)
    other_code = MunicipalityFactory().code
    assert (
        client.get(path.replace(result.application.municipality.code, other_code)).status_code
        == 404
    )
    CorrectionRequest.objects.update(deadline=timezone.localdate() - timedelta(days=1))
    assert client.get(path).status_code == 404
    CorrectionRequest.objects.update(deadline=timezone.localdate())
    assert client.get(path).status_code == 200  # the deadline day itself still counts
    workflow.application_transition(
        application=result.application,
        actor=manager,
        to_status="rejected",
        expected_version=result.application.version,
        reason="期限内に補正がなかったため",
    )
    assert CorrectionRequest.objects.get().cancelled_at is not None
    assert client.get(path).status_code == 404
    assert (
        client.get("/" + result.application.municipality.code + "/correction/nonsense/").status_code
        == 404
    )
