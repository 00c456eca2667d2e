"""One visit, several procedures: the suggestion rules (table-driven) and the shared data
entered once and reused by the library's forms (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from madoguchi.counter.visit import (
    Facts,
    rules,
    shared_extract,
    shared_merge,
    shared_prefill,
    suggestions,
    visit_facts,
)
from madoguchi.procedures.formdef import parse_definition, validate_answers
from madoguchi.procedures.library import load_library

TODAY = date(2026, 12, 6)
EVERYTHING = {rule["procedure"] for rule in rules()["suggestions"]}


def _slugs(facts: Facts, *, already: tuple[str, ...] = ()) -> list[str]:
    return [s.procedure for s in suggestions(facts, offered=EVERYTHING, already=already)]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # 転入 + a child under 15 → 児童手当; under 6 → 保育 as well.
        (Facts(event="moving", household_ages=(10,)), ["child-allowance"]),
        (Facts(event="moving", household_ages=(3, 40)), ["child-allowance", "nursery-admission"]),
        (Facts(event="moving", household_ages=(15,)), []),
        (Facts(event="moving", household_ages=(6,)), ["child-allowance"]),
        (Facts(event="birth", household_ages=(0,)), ["child-allowance", "nursery-admission"]),
        # No employer insurance (by the pension or the occupation answer) → 国保.
        (
            Facts(event="moving", answers=({"pension": "national_pension"},)),
            ["nhi-enrolment"],
        ),
        (Facts(event="moving", answers=({"occupation": "self_employed"},)), ["nhi-enrolment"]),
        (Facts(event="moving", answers=({"pension": "employees_pension"},)), []),
        (Facts(event="marriage", answers=({"pension": "none"},)), []),
        # 65 or over moving in → 介護保険.
        (Facts(event="moving", applicant_age=65), ["long-term-care-after-moving"]),
        (Facts(event="moving", applicant_age=64), []),
        (Facts(event="moving", applicant_age=None), []),
        # 死亡 → 国保・年金・介護.
        (
            Facts(event="bereavement"),
            ["nhi-withdrawal", "pension-death-notification", "care-insurance-loss"],
        ),
        (Facts(event="", household_ages=(1,)), []),
    ],
)
def test_the_rules_propose_what_the_answers_make_likely(facts, expected):
    assert _slugs(facts) == expected


def test_every_reason_that_holds_is_given_and_in_both_languages():
    facts = Facts(
        event="moving", answers=({"pension": "none", "occupation": "none"},), household_ages=(2,)
    )
    found = {s.procedure: s.reasons for s in suggestions(facts, offered=EVERYTHING)}
    assert len(found["nhi-enrolment"]) == 2
    assert all(ja and en and ja != en for reasons in found.values() for ja, en in reasons)
    assert "15歳未満" in found["child-allowance"][0][0]


def test_a_procedure_not_offered_or_already_in_the_visit_is_not_proposed():
    facts = Facts(event="moving", household_ages=(2,))
    assert _slugs(facts, already=("child-allowance",)) == ["nursery-admission"]
    offered_only = suggestions(facts, offered={"nursery-admission"})
    assert [s.procedure for s in offered_only] == ["nursery-admission"]


def test_facts_come_from_the_shared_data():
    shared = {
        "applicant": {"applicant_birth_date": "1960-12-07"},
        "household": [{"name": {"family": "森"}, "birth_date": "2021-12-06"}],
    }
    facts = visit_facts(event="moving", shared=shared, answers=[{"pension": "none"}], today=TODAY)
    assert facts.applicant_age == 65  # 66 on 7 December
    assert facts.household_ages == (5,)
    assert facts.answers == ({"pension": "none"},)


# --- shared data entered once, reused by three procedures of the library ----------------------

LIBRARY = {entry["slug"]: entry for entry in load_library()}
NAME = {"family": "雲母坂", "given": "紗和子", "family_kana": "キララザカ", "given_kana": "サワコ"}
CHILD = {"family": "雲母坂", "given": "陽", "family_kana": "キララザカ", "given_kana": "ヒナタ"}
ADDRESS = {"prefecture": "東京都", "city": "千代田区", "street": "霞が関1-2-3", "building": ""}
CHILD_ALLOWANCE = {
    "applicant_name": NAME,
    "applicant_birth_date": "1990-04-01",
    "applicant_postal_code": "100-0013",
    "applicant_address": ADDRESS,
    "applicant_phone": "03-1234-5678",
    "applicant_email": "sawako@example.jp",
    "occupation": "self_employed",
    "pension": "national_pension",
    "children": [
        {"name": CHILD, "birth_date": "2023-05-05", "relationship": "child", "living": "together"}
    ],
}


def _definition(slug):
    return parse_definition(LIBRARY[slug]["form"])


def test_shared_data_entered_once_prefills_three_procedures():
    shared = shared_merge(
        {}, shared_extract(_definition("child-allowance"), "child-allowance", CHILD_ALLOWANCE)
    )
    assert shared["applicant"]["applicant_name"] == NAME
    assert shared["household"] == [{"name": CHILD, "birth_date": "2023-05-05"}]

    nursery = shared_prefill(
        _definition("nursery-admission"), "nursery-admission", shared, today=TODAY
    )
    # Different keys in each form, found by role: guardian_name, postal_code, address, phone …
    assert nursery["guardian_name"] == NAME
    assert nursery["guardian_birth_date"] == "1990-04-01"
    assert nursery["postal_code"] == "100-0013"
    assert nursery["address"] == ADDRESS
    assert nursery["phone"] == "03-1234-5678"
    assert nursery["email"] == "sawako@example.jp"
    assert nursery["child_name"] == CHILD
    assert nursery["child_birth_date"] == "2023-05-05"

    nhi = shared_prefill(_definition("nhi-enrolment"), "nhi-enrolment", shared, today=TODAY)
    assert nhi["applicant_name"] == NAME
    assert nhi["applicant_address"] == ADDRESS
    assert nhi["members"] == [{"name": CHILD, "birth_date": "2023-05-05"}]

    # The pre-filled answers pass each form's own validation: only the rest is left to enter.
    _cleaned, errors = validate_answers(_definition("nhi-enrolment"), nhi)
    assert "applicant_name" not in errors
    assert "applicant_address" not in errors
    assert not any(path.startswith("members.0.name") for path in errors)
    assert "reason" in errors  # its own question, still to answer


def test_a_later_procedure_adds_people_once_and_newer_applicant_data_wins():
    first = shared_extract(_definition("child-allowance"), "child-allowance", CHILD_ALLOWANCE)
    later = {
        "applicant": {"applicant_phone": "090-0000-0000"},
        "household": [
            {"name": CHILD, "birth_date": "2023-05-05"},
            {"name": NAME, "birth_date": "1990-04-01"},
        ],
    }
    shared = shared_merge(shared_merge({}, first), later)
    assert shared["applicant"]["applicant_phone"] == "090-0000-0000"
    assert shared["applicant"]["applicant_email"] == "sawako@example.jp"
    assert len(shared["household"]) == 2
    # The child allowance takes only the children (18 or under); the nursery only one under 6.
    allowance = shared_prefill(
        _definition("child-allowance"), "child-allowance", shared, today=TODAY
    )
    assert [c["birth_date"] for c in allowance["children"]] == ["2023-05-05"]


def test_no_household_place_no_household_prefill():
    shared = {
        "applicant": {"applicant_name": NAME},
        "household": [{"name": CHILD, "birth_date": "2023-05-05"}],
    }
    answers = shared_prefill(
        _definition("residence-certificate"), "residence-certificate", shared, today=TODAY
    )
    assert answers == {"requester_name": NAME}
