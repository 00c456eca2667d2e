"""Every text version the form-definition parser accepts — each `<name>_en` (English) and
`<name>_easy` (やさしい日本語) attribute of the definition, a step, a field of any registered type
and an option — has an input in the builder that saves it as text. The attributes are read from
the parser, so a new `_en`/`_easy` attribute without an input fails here."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from madoguchi.catalogue import selectors
from madoguchi.catalogue.builder.checks import run_checks
from madoguchi.catalogue.builder.editing import NodePath
from madoguchi.catalogue.builder.forms import TYPE_INPUTS, NodeForm
from madoguchi.catalogue.views import HeaderForm
from madoguchi.procedures.formdef.definition import accepted_attributes
from madoguchi.procedures.formdef.fields import registered
from madoguchi.procedures.formdef.localize import localize_definition_data

from .factories import editor_user, published_version

VARIANTS = ("_en", "_easy")
# A text a JSON input would turn into a number: a text input keeps it as typed.
TYPED = "123"


def _variants(names: frozenset[str]) -> list[str]:
    return sorted(n for n in names if n.endswith(VARIANTS))


ACCEPTED = accepted_attributes()
FIELD_CASES = [
    (type_name, name)
    for type_name in sorted(registered())
    for name in _variants(ACCEPTED["field"] | ACCEPTED[f"field:{type_name}"])
]


def test_the_parser_has_text_versions_at_every_level() -> None:
    """The walk below is not empty: the known versions are among those found."""
    assert {"title_en"} <= set(_variants(ACCEPTED["definition"]))
    assert {"title_en", "description_en", "description_easy"} <= set(_variants(ACCEPTED["step"]))
    assert {"label_en", "help_en"} <= set(_variants(ACCEPTED["field"]))
    assert {"item_label_en", "add_label_en"} <= set(_variants(ACCEPTED["field:group"]))
    assert _variants(ACCEPTED["option"]) == ["label_en"]


@pytest.mark.parametrize("name", _variants(ACCEPTED["definition"]))
def test_every_text_version_of_the_definition_has_an_input(name: str) -> None:
    form = HeaderForm({name: TYPED})
    assert form.is_valid(), form.errors
    assert form.cleaned_data[name] == TYPED


@pytest.mark.parametrize("name", _variants(ACCEPTED["step"]))
def test_every_text_version_of_a_step_has_an_input(name: str) -> None:
    node = {"key": "page", "title": "ページ", "fields": []}
    form = NodeForm({"key": "page", name: TYPED}, node=node, is_step=True, controllers=[])
    assert name in form.fields
    assert form.is_valid(), form.errors
    assert form.values()[name] == TYPED


@pytest.mark.parametrize(("type_name", "name"), FIELD_CASES)
def test_every_text_version_of_every_field_type_has_an_input(type_name: str, name: str) -> None:
    node: dict[str, Any] = {"key": "item", "type": type_name, "label": "項目"}
    data = {"key": "item", "type": type_name, name: TYPED}
    form = NodeForm(data, node=node, is_step=False, controllers=[])
    assert name in form.fields, f"{type_name}.{name} has no input"
    assert "JSON" not in str(form.fields[name].label), f"{type_name}.{name} is edited as JSON"
    assert form.is_valid(), form.errors
    assert form.values()[name] == TYPED


@pytest.mark.parametrize("name", _variants(ACCEPTED["option"]))
def test_every_text_version_of_an_option_goes_through_the_options_input(name: str) -> None:
    options = TYPE_INPUTS["options"]
    stored = [{"value": "yes", "label": "はい", name: "Yes"}]
    assert options.to_json(options.to_form(stored)) == stored


def test_every_english_version_is_shown_to_english_readers() -> None:
    """localize.py swaps each `<name>_en` in: a definition with all of them reads in English."""
    definition = {
        "title": "題名",
        "title_en": "Title",
        "steps": [
            {
                "key": "page",
                "title": "ページ",
                "title_en": "Page",
                "description": "説明",
                "description_en": "About",
                "fields": [
                    {
                        "key": "kids",
                        "type": "group",
                        "label": "子",
                        "label_en": "Children",
                        "item_label": "{n}人目",
                        "item_label_en": "Child {n}",
                        "add_label": "追加",
                        "add_label_en": "Add a child",
                        "fields": [
                            {
                                "key": "pick",
                                "type": "choice",
                                "label": "選ぶ",
                                "label_en": "Pick",
                                "help": "一つ",
                                "help_en": "One",
                                "options": [{"value": "a", "label": "あ", "label_en": "A"}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    english = localize_definition_data(definition, "en")
    step = english["steps"][0]
    group = step["fields"][0]
    sub = group["fields"][0]
    assert (english["title"], step["title"], step["description"]) == ("Title", "Page", "About")
    assert (group["label"], group["item_label"], group["add_label"]) == (
        "Children",
        "Child {n}",
        "Add a child",
    )
    assert (sub["label"], sub["help"], sub["options"][0]["label"]) == ("Pick", "One", "A")


def test_a_group_without_english_labels_is_pointed_out() -> None:
    group = {
        "key": "kids",
        "type": "group",
        "label": "子",
        "label_en": "Children",
        "item_label": "{n}人目",
        "add_label": "追加",
        "fields": [{"key": "n", "type": "text", "label": "名", "label_en": "Name"}],
    }
    definition = {
        "steps": [{"key": "page", "title": "ページ", "title_en": "Page", "fields": [group]}]
    }
    missing = {
        f.attribute
        for f in run_checks(definition)
        if f.path == str(NodePath(0, 0)) and f.code == "missing_english"
    }
    assert missing == {"item_label_en", "add_label_en"}


@pytest.mark.django_db
def test_the_group_s_english_labels_are_edited_over_http() -> None:
    version = published_version()
    procedure = version.procedure
    client = Client()
    client.force_login(editor_user(procedure.municipality))
    base = f"/staff/catalogue/forms/{procedure.slug}"
    assert client.post(f"{base}/start/").status_code == 302
    draft = selectors.open_draft(procedure=procedure)
    assert draft is not None
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
    at = f"steps[0].fields[{len(draft.definition['steps'][0]['fields']) - 1}]"
    page = client.get(f"{base}/edit/", {"at": at}).content.decode()
    assert 'name="item_label_en"' in page and 'name="add_label_en"' in page
    response = client.post(
        f"{base}/edit/?at={at}",
        {
            "key": "children",
            "type": "group",
            "label": "お子さん",
            "item_label": "{n}人目のお子さん",
            "item_label_en": "Child {n}",
            "add_label": "お子さんを追加する",
            "add_label_en": "Add a child",
            "channels": ["online", "counter", "staff", "print"],
            "revision": draft.revision,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    draft.refresh_from_db()
    group = draft.definition["steps"][0]["fields"][-1]
    assert (group["item_label_en"], group["add_label_en"]) == ("Child {n}", "Add a child")
