"""The form builder's services: editing a draft, validation by path, diff, the four-eyes
publication, immutability of published versions and applications keeping their version."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import services as application_services
from madoguchi.applications.tests.factories import VALID_ANSWERS
from madoguchi.catalogue import selectors, services
from madoguchi.catalogue.builder import editing
from madoguchi.catalogue.builder.diff import definition_diff
from madoguchi.catalogue.models import DraftStatus, FormDraftEvent
from madoguchi.procedures.models import FormVersion
from madoguchi.procedures.selectors import form_version_definition

from .factories import editor_user, published_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    version = published_version()
    town = version.procedure.municipality
    return {
        "version": version,
        "procedure": version.procedure,
        "editor": editor_user(town),
        "approver": editor_user(town),
        "admin": StaffUserFactory(municipality=town, admin=True),
    }


def _edit(draft, user, edit):
    return services.draft_edit(draft=draft, actor=user, revision=draft.revision, edit=edit)


def test_a_draft_starts_from_the_current_version_and_edits_keep_the_format(world):
    draft = services.draft_start(procedure=world["procedure"], actor=world["editor"])
    assert draft.definition == world["version"].definition
    assert draft.base_version == world["version"]
    # Starting again returns the open draft, not a second one.
    assert services.draft_start(procedure=world["procedure"], actor=world["admin"]).pk == draft.pk
    parent = editing.NodePath(0)
    draft = _edit(
        draft,
        world["editor"],
        lambda d: editing.add_field(
            d, parent=parent, key="children", type_name="group", label="お子さん"
        ),
    )
    assert draft.revision == 2
    state = selectors.definition_state(draft.definition)
    assert state.error is None
    group = draft.definition["steps"][0]["fields"][-1]
    assert group["type"] == "group" and group["fields"][0]["type"] == "text"
    # Move the group to the top: the keyboard buttons and dragging use the same edit.
    last = editing.NodePath(0, len(draft.definition["steps"][0]["fields"]) - 1)
    draft = _edit(draft, world["editor"], lambda d: editing.move(d, last, 0))
    assert draft.definition["steps"][0]["fields"][0]["key"] == "children"


def test_an_invalid_edit_is_kept_in_the_draft_and_named_by_path(world):
    draft = services.draft_start(procedure=world["procedure"], actor=world["editor"])
    path = editing.NodePath(0, 1)
    draft = _edit(
        draft,
        world["editor"],
        lambda d: editing.replace_node(
            d,
            path,
            {"key": "birth_date", "type": "date", "label": "", "min": "yesterday"},
            {"label", "min"},
        ),
    )
    state = selectors.definition_state(draft.definition)
    assert state.error is not None
    assert state.error.path == "steps[0].fields[1].label"
    assert state.error_node == "steps[0].fields[1]" and state.error_rest == "label"
    # It cannot be sent for review until it parses.
    with pytest.raises(ValidationError) as caught:
        services.draft_submit(draft=draft, actor=world["editor"], revision=draft.revision)
    assert "steps[0].fields[1].label" in str(caught.value)


def test_a_stale_page_cannot_overwrite_a_newer_edit(world):
    draft = services.draft_start(procedure=world["procedure"], actor=world["editor"])
    seen = draft.revision
    _edit(draft, world["admin"], lambda d: editing.set_header(d, title="新", title_en=""))
    with pytest.raises(services.StaleDraft):
        services.draft_edit(
            draft=draft,
            actor=world["editor"],
            revision=seen,
            edit=lambda d: editing.set_header(d, title="古", title_en=""),
        )


def test_review_and_publication_need_a_second_person(world):
    procedure, editor, approver = world["procedure"], world["editor"], world["approver"]
    draft = services.draft_start(procedure=procedure, actor=editor)
    draft = _edit(draft, editor, lambda d: editing.set_header(d, title="改訂", title_en="Revised"))
    draft = services.draft_submit(draft=draft, actor=editor, revision=draft.revision)
    assert draft.status == DraftStatus.IN_REVIEW
    # Under review the draft is locked.
    with pytest.raises(ValidationError):
        _edit(draft, editor, lambda d: editing.set_header(d, title="x", title_en=""))
    # The editor cannot approve their own work.
    with pytest.raises(PermissionDenied):
        services.draft_publish(draft=draft, actor=editor)
    assert procedure.form_versions.count() == 1
    published = services.draft_publish(draft=draft, actor=approver, show_to_residents=True)
    assert published.status == DraftStatus.PUBLISHED
    assert published.approved_by == approver and published.submitted_by == editor
    version = published.published_version
    assert version is not None and version.number == 2
    assert version.definition["title"] == "改訂"
    assert version.created_by == editor
    actions = list(
        FormDraftEvent.objects.filter(municipality=procedure.municipality, draft=draft)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "edited", "submitted", "published"]


def test_anyone_who_edited_the_draft_cannot_approve_it(world):
    procedure, editor, admin = world["procedure"], world["editor"], world["admin"]
    draft = services.draft_start(procedure=procedure, actor=editor)
    draft = _edit(draft, admin, lambda d: editing.set_header(d, title="共同", title_en=""))
    draft = services.draft_submit(draft=draft, actor=editor, revision=draft.revision)
    with pytest.raises(PermissionDenied):
        services.draft_publish(draft=draft, actor=admin)
    services.draft_publish(draft=draft, actor=world["approver"])


def test_a_returned_draft_can_be_edited_again(world):
    draft = services.draft_start(procedure=world["procedure"], actor=world["editor"])
    draft = services.draft_submit(draft=draft, actor=world["editor"], revision=draft.revision)
    draft = services.draft_return(draft=draft, actor=world["approver"], note="英語がない")
    assert draft.status == DraftStatus.DRAFT and draft.submitted_by is None
    _edit(draft, world["editor"], lambda d: editing.set_header(d, title="x", title_en="x"))


def test_published_versions_are_immutable_and_applications_keep_theirs(world):
    procedure, version = world["procedure"], world["version"]
    submitted = application_services.application_submit(
        municipality=procedure.municipality,
        procedure=procedure,
        form_version=version,
        raw_answers=VALID_ANSWERS,
    )
    before = json.loads(json.dumps(version.definition))
    draft = services.draft_start(procedure=procedure, actor=world["editor"])
    draft = _edit(draft, world["editor"], lambda d: editing.remove(d, editing.NodePath(0, 2)))
    draft = services.draft_submit(draft=draft, actor=world["editor"], revision=draft.revision)
    new = services.draft_publish(draft=draft, actor=world["approver"]).published_version
    assert new is not None and new.number == 2
    version.refresh_from_db()
    assert version.definition == before
    application = submitted.application
    application.refresh_from_db()
    assert application.form_version_id == version.pk
    assert "email" in {f.key for f in form_version_definition(form_version=version).top_fields()}
    assert "email" not in {f.key for f in form_version_definition(form_version=new).top_fields()}
    with pytest.raises(TypeError):
        new.save()
    with pytest.raises(TypeError):
        FormVersion.objects.filter(pk=new.pk).update(definition={})
    # The next draft starts from the new version.
    assert services.draft_start(procedure=procedure, actor=world["editor"]).base_version == new


def test_import_uses_the_same_parser_and_export_round_trips(world):
    draft = services.draft_start(procedure=world["procedure"], actor=world["editor"])
    text = selectors.definition_json(world["version"].definition)
    assert json.loads(text) == world["version"].definition
    broken = json.loads(text)
    broken["steps"][0]["fields"][0]["type"] = "colour"
    with pytest.raises(ValidationError) as caught:
        services.draft_import(
            draft=draft, actor=world["editor"], revision=draft.revision, text=json.dumps(broken)
        )
    assert "steps[0].fields[0].type" in str(caught.value)
    with pytest.raises(ValidationError):
        services.draft_import(draft=draft, actor=world["editor"], revision=draft.revision, text="{")
    # A NUL (which PostgreSQL's jsonb cannot store) is refused before parsing.
    nul = json.dumps({**json.loads(text), "title": "a\u0000b"})
    with pytest.raises(ValidationError):
        services.draft_import(draft=draft, actor=world["editor"], revision=draft.revision, text=nul)
    changed = json.loads(text)
    changed["title"] = "取り込み"
    # A whole procedure file (as `procedures_import` reads) is accepted too.
    draft = services.draft_import(
        draft=draft,
        actor=world["editor"],
        revision=draft.revision,
        text=json.dumps({"slug": "x", "form": changed}),
    )
    assert draft.definition == changed


def test_diff_names_steps_and_fields_added_removed_changed_and_moved(world):
    old = world["version"].definition
    new = json.loads(json.dumps(old))
    fields = new["steps"][0]["fields"]
    fields[0]["label"] = "お名前"
    fields.insert(0, {"key": "notice", "type": "notice", "label": "はじめに"})
    del fields[3]  # email
    fields[1], fields[2] = fields[2], fields[1]  # birth_date before name
    new["steps"].append({"key": "more", "title": "そのほか", "fields": []})
    changes = definition_diff(old, new)
    summary = {(c.kind, c.what, c.key) for c in changes}
    assert ("added", "field", "notice") in summary
    assert ("removed", "field", "email") in summary
    assert ("changed", "field", "name") in summary
    assert ("added", "step", "more") in summary
    assert ("moved", "field", "birth_date") in summary or ("moved", "field", "name") in summary
    changed = next(c for c in changes if c.kind == "changed" and c.key == "name")
    assert [(a.name, a.old, a.new) for a in changed.attributes] == [("label", "氏名", "お名前")]
    # Inserting a field above another does not read as moving it.
    only_insert = json.loads(json.dumps(old))
    only_insert["steps"][0]["fields"].insert(0, {"key": "n", "type": "notice", "label": "x"})
    assert {(c.kind, c.key) for c in definition_diff(old, only_insert)} == {("added", "n")}
    retitled = {**old, "title": "新しい題名"}
    [change] = definition_diff(old, retitled)
    assert (change.what, change.summary) == ("form", "様式の題名を変更")
    assert [(a.name, a.new) for a in change.attributes] == [("title", "新しい題名")]


def test_a_new_procedure_starts_unpublished_with_a_valid_draft(world):
    town = world["procedure"].municipality
    draft = services.procedure_create(
        municipality=town, actor=world["editor"], slug="pet-dog", name="犬の登録"
    )
    assert not draft.procedure.is_published
    assert selectors.definition_state(draft.definition).error is None
    with pytest.raises(ValidationError):
        services.procedure_create(
            municipality=town, actor=world["editor"], slug="pet-dog", name="もう一つ"
        )
