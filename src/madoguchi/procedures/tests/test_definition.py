"""Parsing form definitions: bad definitions are refused with the path of the problem."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from madoguchi.procedures.formdef import DefinitionError, parse_definition
from madoguchi.procedures.formdef.definition import resolve_date_bound

from .factories import simple_definition


def broken(change: Any) -> dict[str, Any]:
    definition = simple_definition()
    change(definition)
    return definition


def _field(d: dict[str, Any], step: int, index: int) -> dict[str, Any]:
    field: dict[str, Any] = d["steps"][step]["fields"][index]
    return field


CASES = [
    (lambda d: _field(d, 1, 1).update(type="signature"), "steps[1].fields[1].type"),
    (lambda d: _field(d, 0, 0).update(key="Name"), "steps[0].fields[0].key"),
    (lambda d: _field(d, 0, 0).update(key="a__b"), "steps[0].fields[0].key"),
    (lambda d: _field(d, 1, 0).update(key="name"), "steps[1].fields[0].key"),
    (lambda d: _field(d, 0, 0).pop("label"), "steps[0].fields[0].label"),
    (lambda d: _field(d, 0, 0).update(colour="red"), "steps[0].fields[0].colour"),
    (lambda d: _field(d, 0, 1).update(max="tomorrow"), "steps[0].fields[1].max"),
    (lambda d: _field(d, 0, 1).update(role="applicant_email"), "steps[0].fields[1].role"),
    (
        lambda d: _field(d, 1, 1).update(when={"field": "has_spouse", "equals": "maybe"}),
        "steps[1].fields[1].when.equals",
    ),
    (
        lambda d: _field(d, 1, 1).update(when={"field": "nobody", "equals": "yes"}),
        "steps[1].fields[1].when.field",
    ),
    (
        lambda d: _field(d, 1, 0).update(when={"field": "spouse_name", "filled": True}),
        "steps[1].fields[0].when.field",
    ),
    (
        lambda d: _field(d, 1, 1).update(when={"field": "name", "filled": True}),
        "steps[1].fields[1].when.field",
    ),
    (lambda d: _field(d, 1, 1).update(when={"field": "has_spouse"}), "steps[1].fields[1].when"),
    (
        lambda d: _field(d, 1, 0)["options"].append({"value": "yes", "label": "重複"}),
        "steps[1].fields[0].options[2].value",
    ),
    (lambda d: _field(d, 1, 0).update(options=[]), "steps[1].fields[0].options"),
    (lambda d: d["steps"][1].update(key="applicant"), "steps[1].key"),
    (lambda d: d["steps"][1].update(fields=[]), "steps[1].fields"),
    (lambda d: d.update(steps=[]), "steps"),
    (lambda d: d.update(format=2), "format"),
    (lambda d: _field(d, 0, 2).update(required="yes"), "steps[0].fields[2].required"),
    (
        lambda d: d["steps"][1]["fields"].append(
            {
                "key": "kids",
                "type": "group",
                "label": "子",
                "fields": [{"key": "inner", "type": "group", "label": "孫", "fields": []}],
            }
        ),
        "steps[1].fields[2].fields[0].type",
    ),
    (
        lambda d: d["steps"][1]["fields"].append(
            {"key": "zip", "type": "postal_code", "label": "郵便番号", "fills": "nowhere"}
        ),
        "steps[1].fields[2].fills",
    ),
    (
        lambda d: d["steps"][1]["fields"].append(
            {"key": "doc", "type": "file", "label": "書類", "accept": ["exe"]}
        ),
        "steps[1].fields[2].accept",
    ),
]


@pytest.mark.parametrize(("change", "path"), CASES)
def test_errors_name_the_path(change: Any, path: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(broken(change))
    assert caught.value.path == path
    assert str(caught.value).startswith(path)


@pytest.mark.parametrize("data", [None, [], "steps", 1, {"steps": "x"}])
def test_not_an_object(data: Any) -> None:
    with pytest.raises(DefinitionError):
        parse_definition(data)


def test_parse_gives_frozen_dataclasses() -> None:
    definition = parse_definition(simple_definition())
    assert [s.key for s in definition.steps] == ["applicant", "details"]
    assert [f.key for f in definition.steps[0].fields] == ["name", "birth_date", "email"]
    assert definition.field("spouse_name").when is not None
    assert definition.step_of("spouse_name").key == "details"
    assert definition.field_by_role("applicant_email").key == "email"  # type: ignore[union-attr]
    with pytest.raises(AttributeError):
        definition.steps[0].key = "x"  # type: ignore[misc]


def test_group_conditions_may_use_siblings_and_earlier_fields() -> None:
    d = simple_definition()
    d["steps"][1]["fields"].append(
        {
            "key": "children",
            "type": "group",
            "label": "子",
            "fields": [
                {
                    "key": "living",
                    "type": "choice",
                    "label": "同居",
                    "options": [{"value": "apart", "label": "別居"}],
                },
                {
                    "key": "address",
                    "type": "text",
                    "label": "住所",
                    "when": {
                        "all": [
                            {"field": "living", "equals": "apart"},
                            {"field": "has_spouse", "in": ["yes", "no"]},
                        ]
                    },
                },
            ],
        }
    )
    group = parse_definition(d).field("children")
    assert group.subfield("address").when.op == "all"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("today", date(2024, 2, 29)),
        ("today-1y", date(2023, 2, 28)),
        ("today+1y", date(2025, 2, 28)),
        ("today-18y", date(2006, 2, 28)),
        ("today+30d", date(2024, 3, 30)),
        ("today-1m", date(2024, 1, 29)),
        ("today+1m", date(2024, 3, 29)),
        ("2000-01-01", date(2000, 1, 1)),
    ],
)
def test_date_bounds(bound: str, expected: date) -> None:
    assert resolve_date_bound(bound, date(2024, 2, 29)) == expected
