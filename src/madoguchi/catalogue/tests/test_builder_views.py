"""The builder's pages over HTTP: who may use them, tenant isolation, and one edit of each kind."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.catalogue import selectors, services
from madoguchi.catalogue.models import DraftStatus

from .factories import editor_user, published_version

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    version = published_version()
    procedure = version.procedure
    town = procedure.municipality
    other = published_version()
    return {
        "procedure": procedure,
        "version": version,
        "editor": editor_user(town),
        "approver": StaffUserFactory(municipality=town, admin=True),
        "other": other.procedure,
        "other_editor": editor_user(other.procedure.municipality),
    }


def test_only_procedure_editors_and_administrators_use_the_builder(world):
    slug = world["procedure"].slug
    town = world["procedure"].municipality
    for role in (Role.COUNTER, Role.BACK_OFFICE, Role.MANAGER):
        client = _client(StaffUserFactory(municipality=town, role=role))
        assert client.get("/staff/catalogue/forms/").status_code == 403, role
        assert client.get(f"/staff/catalogue/forms/{slug}/").status_code == 403, role
        assert client.post(f"/staff/catalogue/forms/{slug}/start/").status_code == 403, role
    for user in (world["editor"], world["approver"]):
        client = _client(user)
        listing = client.get("/staff/catalogue/forms/")
        assert listing.status_code == 200
        assert world["procedure"].name in listing.content.decode()
        assert world["other"].name not in listing.content.decode()
        assert client.get(f"/staff/catalogue/forms/{slug}/").status_code == 200
    home = _client(world["editor"]).get("/staff/").content.decode()
    assert "/staff/catalogue/forms/" in home


def test_another_municipality_s_procedure_is_not_found(world):
    client = _client(world["other_editor"])
    slug = world["procedure"].slug
    for url in ("", "edit/?at=steps[0]", "preview/", "diff/", "export.json", "import/"):
        assert client.get(f"/staff/catalogue/forms/{slug}/{url}").status_code == 404, url
    for url in ("start/", "structure/", "workflow/"):
        assert (
            client.post(f"/staff/catalogue/forms/{slug}/{url}", {"action": "submit"}).status_code
            == 404
        )
    assert selectors.open_draft(procedure=world["procedure"]) is None


def test_editing_over_http_from_start_to_publication(world):
    procedure, slug = world["procedure"], world["procedure"].slug
    client = _client(world["editor"])
    assert client.post(f"/staff/catalogue/forms/{slug}/start/").status_code == 302
    draft = selectors.open_draft(procedure=procedure)
    base = f"/staff/catalogue/forms/{slug}"
    # Add a checkbox, a repeating group, then a field inside the group.
    client.post(
        f"{base}/structure/",
        {
            "action": "add_field",
            "parent": "steps[0]",
            "type": "checkbox",
            "key": "has_children",
            "label": "お子さんがいる",
            "revision": draft.revision,
        },
    )
    draft.refresh_from_db()
    client.post(
        f"{base}/structure/",
        {
            "action": "add_field",
            "parent": "steps[0]",
            "type": "group",
            "key": "children",
            "label": "お子さん",
            "revision": draft.revision,
        },
    )
    draft.refresh_from_db()
    group_path = f"steps[0].fields[{len(draft.definition['steps'][0]['fields']) - 1}]"
    client.post(
        f"{base}/structure/",
        {
            "action": "add_field",
            "parent": group_path,
            "type": "date",
            "key": "child_birth",
            "label": "生年月日",
            "revision": draft.revision,
        },
    )
    draft.refresh_from_db()
    group = draft.definition["steps"][0]["fields"][-1]
    assert [f["key"] for f in group["fields"]] == ["item_text", "child_birth"]
    # The editor shows the date's check beside it.
    page = client.get(f"{base}/").content.decode()
    assert "記入例がありません" in page and "様式定義に誤りはありません" in page
    # Edit the group: limits, labels and a condition on an earlier field.
    form = client.get(f"{base}/edit/", {"at": group_path})
    assert form.status_code == 200
    body = form.content.decode()
    assert 'name="max_items"' in body and 'name="when__field"' in body
    response = client.post(
        f"{base}/edit/?at={group_path}",
        {
            "key": "children",
            "type": "group",
            "label": "お子さん",
            "label_en": "Children",
            "min_items": "1",
            "max_items": "5",
            "item_label": "{n}人目のお子さん",
            "channels": ["online", "counter", "staff", "print"],
            "when__field": "has_children",
            "when__op": "equals",
            "when__value": "true",
            "revision": draft.revision,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    group = draft.definition["steps"][0]["fields"][-1]
    assert group["max_items"] == 5 and group["when"] == {"field": "has_children", "equals": True}
    assert len(group["fields"]) == 2  # sub-fields are kept
    # A bad value is saved in the draft and its parser error shown beside the input.
    response = client.post(
        f"{base}/edit/?at={group_path}",
        {
            "key": "children",
            "type": "group",
            "label": "お子さん",
            "min_items": "9",
            "max_items": "2",
            "revision": draft.revision,
        },
    )
    assert response.status_code == 302 and "edit/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "min_items is greater than max_items" in page
    draft.refresh_from_db()
    client.post(
        f"{base}/edit/?at={group_path}",
        {
            "key": "children",
            "type": "group",
            "label": "お子さん",
            "min_items": "0",
            "max_items": "3",
            "revision": draft.revision,
        },
    )
    # Move it up by the keyboard's button.
    draft.refresh_from_db()
    client.post(
        f"{base}/structure/", {"action": "up", "path": group_path, "revision": draft.revision}
    )
    draft.refresh_from_db()
    assert draft.definition["steps"][0]["fields"][-2]["key"] == "children"
    # The preview is the residents' own step page, with sample answers, framable by the editor.
    preview = client.get(f"{base}/preview/")
    assert preview.status_code == 200
    assert "mg-form-fields" in preview.content.decode()
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    # Diff, export.
    diff = client.get(f"{base}/diff/").content.decode()
    assert "children" in diff and "お子さん" in diff
    exported = client.get(f"{base}/export.json")
    draft.refresh_from_db()
    assert json.loads(exported.content) == draft.definition
    # Review and publication by someone else.
    client.post(f"{base}/workflow/", {"action": "submit", "revision": draft.revision})
    draft.refresh_from_db()
    assert draft.status == DraftStatus.IN_REVIEW
    client.post(f"{base}/workflow/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == DraftStatus.IN_REVIEW  # not by its own editor
    approver = _client(world["approver"])
    assert "承認して公開する" in approver.get(f"{base}/").content.decode()
    approver.post(f"{base}/workflow/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PUBLISHED and draft.approved_by == world["approver"]
    assert procedure.form_versions.count() == 2
    page = approver.get(f"{base}/").content.decode()
    assert "第2版" in page
    assert approver.get(f"{base}/diff/?from=1&to=2").status_code == 200


def test_bad_input_is_answered_without_error(world):
    slug = world["procedure"].slug
    client = _client(world["editor"])
    client.post(f"/staff/catalogue/forms/{slug}/start/")
    base = f"/staff/catalogue/forms/{slug}"
    assert client.get(f"{base}/edit/", {"at": "steps[99]"}).status_code == 302
    assert client.get(f"{base}/edit/", {"at": "../../etc"}).status_code == 302
    assert client.get(f"{base}/diff/", {"from": "١٢"}).status_code == 404
    assert client.get(f"{base}/export.json", {"version": "99"}).status_code == 404
    for data in (
        {"action": "to", "path": "steps[0]", "to": "x"},
        {"action": "up", "path": "steps[0]"},
        {"action": "remove", "path": "steps[7].fields[1]"},
        {"action": "add_field", "parent": "steps[0]", "type": "nope", "key": "k", "label": "l"},
        {"action": "nope"},
    ):
        draft = selectors.open_draft(procedure=world["procedure"])
        response = client.post(f"{base}/structure/", {**data, "revision": draft.revision})
        assert response.status_code == 302, data
    response = client.post(f"{base}/import/", {"text": "NaN", "revision": "1"})
    assert response.status_code == 200


def test_a_new_procedure_is_built_from_the_list(world):
    client = _client(world["editor"])
    response = client.post(
        "/staff/catalogue/forms/new/",
        {"name": "犬の登録", "slug": "dog-registration", "category": "pets"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/catalogue/forms/dog-registration/"
    draft = selectors.open_draft(
        procedure=selectors.builder_procedure(
            municipality=world["procedure"].municipality, slug="dog-registration"
        )
    )
    assert draft is not None and draft.definition["title"] == "犬の登録"
    assert services.draft_editors(draft) == {world["editor"].pk}


def test_the_fee_rule_is_edited_as_json_with_the_parser_s_error_beside_it(world):
    procedure, slug = world["procedure"], world["procedure"].slug
    client = _client(world["editor"])
    client.post(f"/staff/catalogue/forms/{slug}/start/")
    draft = selectors.open_draft(procedure=procedure)
    base = f"/staff/catalogue/forms/{slug}"

    def save(text: str):
        draft.refresh_from_db()
        return client.post(
            f"{base}/structure/",
            {"action": "fees", "revision": draft.revision, "fees-fees": text},
            follow=True,
        )

    # Not JSON at all: the form says so and nothing changes.
    page = save("{lines: 300}").content.decode()
    assert "JSON として読めません" in page
    draft.refresh_from_db()
    assert "fees" not in draft.definition
    # JSON the parser refuses: kept as a draft, the error named by path beside the input.
    bad = {"lines": [{"key": "copy", "label": "写し", "unit_price": 300, "quantity": "nothing"}]}
    page = save(json.dumps(bad)).content.decode()
    assert 'id="fees-error"' in page and "fees.lines[0].quantity" in page
    assert 'aria-invalid="true"' in page
    # A good rule: no error, and it travels with the definition into the export.
    good = {"lines": [{"key": "copy", "label": "写し", "unit_price": 300}]}
    page = save(json.dumps(good)).content.decode()
    assert 'id="fees-error"' not in page and "様式定義に誤りはありません" in page
    draft.refresh_from_db()
    assert draft.definition["fees"] == good
    # Emptied: no fee.
    save("")
    draft.refresh_from_db()
    assert "fees" not in draft.definition
