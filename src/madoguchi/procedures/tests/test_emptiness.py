"""Emptiness and cleaning agree, for every field type of the registry (values.CLEANERS).

For each type, a required field of that type is fed values of every shape (blank text,
whitespace and invisible characters, checkbox words in any case, part dicts with blank parts,
lists, numbers, None …) and:
- a value the type calls empty is refused when required;
- a value that cleans without error for a required field is never the type's empty value
  (a required consent sent as " " must not be stored as false and accepted);
- the JSON API (validate_answers) and the HTML step form (build_step_form with the POST
  names the template renders) accept and refuse the same text, with the same value.
A new type added to the registry is covered here without editing this file, as long as a
minimal definition of it parses (add its extra attributes to FIELD_EXTRAS otherwise).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.procedures.formdef import build_step_form, parse_definition, validate_answers
from madoguchi.procedures.formdef.validation import today_local, validate_field
from madoguchi.procedures.formdef.values import (
    ADDRESS_PARTS,
    CHECKBOX_FALSE,
    CHECKBOX_TRUE,
    CLEANERS,
    NAME_PARTS,
    is_empty,
)

FIELD_EXTRAS: dict[str, dict[str, Any]] = {
    "choice": {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    "multi_choice": {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    "file": {"accept": ["pdf"]},
}

BLANKS = ["", " ", "\u3000", "\t\n", "\u200b", "\ufeff", " \u3000\u200b "]

words = st.sampled_from(
    [
        *BLANKS,
        *CHECKBOX_TRUE,
        *CHECKBOX_FALSE,
        "a",
        " a ",
        "b",
        "0",
        "12",
        "１２",
        "²",
        "①",
        "-5",
        "山田",
        "やまだ",
        "ヤマダ",
        "静岡県",
        "昭和50年4月1日",
        "1975-04-01",
        "9999-12-31",
        "420-0853",
        "054-221-1111",
        "a@example.jp",
        "\x00",
    ]
)
case_and_space = st.tuples(
    st.sampled_from(["", " ", "\u3000"]), words, st.sampled_from(["", " ", "\t"]), st.booleans()
).map(lambda t: t[0] + (t[1].upper() if t[3] else t[1]) + t[2])
text = st.one_of(words, case_and_space, st.text(max_size=8))
parts = st.dictionaries(st.sampled_from(NAME_PARTS + ADDRESS_PARTS), text, max_size=8)
raw_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    text,
    parts,
    st.lists(text, max_size=3),
    st.just({}),
)


def _definition(field_type: str) -> Any:
    field = {"key": "f", "type": field_type, "label": "項目", "required": True}
    field |= FIELD_EXTRAS.get(field_type, {})
    return parse_definition(
        {"title": "t", "steps": [{"key": "s", "title": "s", "fields": [field]}]}
    )


FIELD_TYPES = sorted(CLEANERS)


@pytest.mark.parametrize("field_type", FIELD_TYPES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_values)
def test_empty_is_refused_and_clean_is_never_empty(field_type: str, raw: Any) -> None:
    field = _definition(field_type).steps[0].fields[0]
    value, errors = validate_field(field, raw, lookup={}, path="f", today=today_local())
    if is_empty(field, raw):
        assert errors, f"{field_type}: empty {raw!r} accepted for a required field"
    if not errors:
        assert not is_empty(field, value), (
            f"{field_type}: {raw!r} cleaned to the empty value {value!r} and was accepted"
        )


def _post_data(field_type: str, raw: Any) -> QueryDict | None:
    """The POST body the HTML form sends for `raw`, or None where no form can send it."""
    data = QueryDict(mutable=True)
    if field_type in ("name", "address"):
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            return None
        for part, value in raw.items():
            data[f"f__{part}"] = value
        return data
    if field_type == "multi_choice":
        if not isinstance(raw, list):
            return None
        data.setlist("f", raw)
        return data
    if field_type == "file" or not isinstance(raw, str):
        return None
    if field_type == "checkbox" and raw == "":
        return data  # an unticked box sends nothing
    data["f"] = raw
    return data


@pytest.mark.parametrize("field_type", [t for t in FIELD_TYPES if t != "file"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_values)
def test_api_and_html_form_agree(field_type: str, raw: Any) -> None:
    data = _post_data(field_type, raw)
    if data is None:
        return
    definition = _definition(field_type)
    api_answers, api_errors = validate_answers(definition, {"f": raw})
    form = build_step_form(definition, "s", data=data, answers={})
    html_ok = form.is_valid()
    assert html_ok == (not api_errors), (
        f"{field_type}: {raw!r} — API errors {api_errors}, HTML errors {dict(form.errors)}"
    )
    if html_ok:
        assert form.step_answers()["f"] == api_answers["f"]


def test_required_consent_sent_as_whitespace_is_refused() -> None:
    definition = _definition("checkbox")
    for raw in (" ", "\u3000", " FALSE ", "Off"):
        _answers, errors = validate_answers(definition, {"f": raw})
        assert errors == {"f": ["項目を確認して、チェックを入れてください。"]}, raw
    answers, errors = validate_answers(definition, {"f": " On "})
    assert not errors and answers["f"] is True
