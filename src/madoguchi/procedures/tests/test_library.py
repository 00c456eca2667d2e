"""Every procedure of the standard library parses, renders and accepts a valid submission."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string

from madoguchi.procedures.formdef import (
    build_step_form,
    extract_applicant,
    parse_definition,
    summarize,
    validate_answers,
    visible_steps,
)
from madoguchi.procedures.library import load_library
from madoguchi.procedures.models import Category

from .fill import TODAY, post_data, valid_answers

LIBRARY = load_library()
REQUIRED_STANDARD_CODES = {
    "child-allowance-certification",
    "nursery-admission",
    "pregnancy-notification",
    "long-term-care-certification",
    "moving-out-notification",
    "residence-certificate-request",
    "disaster-victim-certificate",
}


def test_library_has_the_required_procedures() -> None:
    codes = {entry["standard_code"] for entry in LIBRARY}
    assert len(LIBRARY) >= 10
    assert codes >= REQUIRED_STANDARD_CODES
    assert len({entry["slug"] for entry in LIBRARY}) == len(LIBRARY)


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e["slug"])
def test_entry_is_complete(entry: dict[str, Any]) -> None:
    assert entry["category"] in Category.values
    for attribute in ("name", "summary", "description", "eligibility", "fees"):
        assert entry[attribute].strip(), attribute
    assert entry["what_to_bring"]
    definition = parse_definition(entry["form"])
    roles = {f.role for f in definition.top_fields()}
    assert "applicant_name" in roles


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e["slug"])
def test_valid_submission_validates(entry: dict[str, Any]) -> None:
    definition = parse_definition(entry["form"])
    answers, errors = validate_answers(definition, valid_answers(definition), today=TODAY)
    assert errors == {}
    applicant = extract_applicant(definition, answers)
    assert applicant.name == "山田 花子"
    assert applicant.name_kana == "ヤマダ ハナコ"
    sections = summarize(definition, answers)
    assert [s.step_key for s in sections] == [s.key for s in visible_steps(definition, answers)]
    # Normalised answers are accepted again unchanged.
    again, errors = validate_answers(definition, answers, today=TODAY)
    assert errors == {} and again == answers


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e["slug"])
def test_every_step_renders_empty_filled_and_with_errors(entry: dict[str, Any]) -> None:
    definition = parse_definition(entry["form"])
    raw = valid_answers(definition)
    answers, _ = validate_answers(definition, raw, today=TODAY)
    for step in definition.steps:
        # Empty, first visit.
        html = render_to_string(
            "procedures/formdef/step_form.html",
            {"form": build_step_form(definition, step.key, answers={}, today=TODAY)},
        )
        assert 'class="mg-form-fields"' in html
        # Filled from stored answers.
        render_to_string(
            "procedures/formdef/step_form.html",
            {"form": build_step_form(definition, step.key, answers=answers, today=TODAY)},
        )
        # Posted empty: required fields give errors listed in the summary.
        form = build_step_form(definition, step.key, data={}, files={}, answers={}, today=TODAY)
        form.is_valid()
        html = render_to_string("procedures/formdef/step_form.html", {"form": form})
        if form.errors:
            assert "mg-error-summary" in html
            assert 'aria-invalid="true"' in html


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e["slug"])
def test_every_step_accepts_posted_valid_input(entry: dict[str, Any]) -> None:
    definition = parse_definition(entry["form"])
    raw = valid_answers(definition)
    stored, _ = validate_answers(definition, raw, today=TODAY)  # file references come from here
    collected: dict[str, Any] = {}
    for step in definition.steps:
        form = build_step_form(
            definition, step.key, data=post_data(step, raw), files={}, answers=stored, today=TODAY
        )
        assert form.is_valid(), (step.key, form.path_errors)
        collected.update(form.step_answers())
    answers, errors = validate_answers(definition, collected, today=TODAY)
    assert errors == {}
    assert answers == stored
