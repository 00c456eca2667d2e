"""One visit, several procedures (docs/preinput.md): the data entered once and reused, and the
related procedures the answers make likely. Pure: form definitions and answers in, values out;
the rules are data (rules.json)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from madoguchi.procedures.formdef import FormDefinition
from madoguchi.procedures.formdef.definition import ROLES

RULES_PATH = Path(__file__).resolve().parent / "rules.json"
# The applicant's data every form finds by its semantic role (the roles card filling and the
# counter use): name, birth date, sex, postal code, address, phone, e-mail.
SHARED_ROLES = tuple(sorted(role for role in ROLES if role.startswith("applicant_")))
MAX_HOUSEHOLD = 10


@cache
def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    return data


def _age(birth: Any, today: date) -> int | None:
    try:
        born = date.fromisoformat(str(birth))
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _person_key(person: Mapping[str, Any]) -> str:
    found = person.get("name")
    name: Mapping[str, Any] = found if isinstance(found, dict) else {}
    return f"{name.get('family', '')}|{name.get('given', '')}|{person.get('birth_date', '')}"


# --- shared data: extracted from one procedure's answers, pre-filled into the next ---------------


def shared_extract(
    definition: FormDefinition, slug: str, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The shared data one procedure's answers hold: the applicant's fields by role and the
    household's people (name, birth date) where rules.json says this form keeps them."""
    applicant = {}
    for role in SHARED_ROLES:
        f = definition.field_by_role(role)
        if f is not None and answers.get(f.key) not in (None, "", {}, []):
            applicant[role] = answers[f.key]
    household = []
    place = rules()["household"].get(slug)
    if place:
        items = answers.get(place["group"]) if "group" in place else [answers]
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            person = {
                "name": item.get(place["name"]),
                "birth_date": item.get(place["birth_date"]),
            }
            if isinstance(person["name"], dict) and person["birth_date"]:
                household.append(person)
    return {"applicant": applicant, "household": household}


def shared_merge(shared: Mapping[str, Any], more: Mapping[str, Any]) -> dict[str, Any]:
    """`shared` with what a later procedure added: newer applicant values win, people are
    added once (same name and birth date)."""
    people: dict[str, Any] = {}
    for person in [*shared.get("household", []), *more.get("household", [])]:
        people.setdefault(_person_key(person), person)
    return {
        "applicant": {**shared.get("applicant", {}), **more.get("applicant", {})},
        "household": list(people.values())[:MAX_HOUSEHOLD],
    }


def shared_prefill(
    definition: FormDefinition, slug: str, shared: Mapping[str, Any], *, today: date
) -> dict[str, Any]:
    """Raw answers for a procedure's form from the shared data (its own answers go on top)."""
    answers: dict[str, Any] = {}
    for role, value in shared.get("applicant", {}).items():
        f = definition.field_by_role(role) if role in SHARED_ROLES else None
        if f is not None:
            answers[f.key] = value
    place = rules()["household"].get(slug)
    if not place:
        return answers
    max_age = place.get("max_age")
    people = sorted(
        (
            p
            for p in shared.get("household", [])
            if max_age is None or (_age(p.get("birth_date"), today) or 0) <= max_age
        ),
        key=lambda p: str(p.get("birth_date")),
    )
    items = [{place["name"]: p["name"], place["birth_date"]: p["birth_date"]} for p in people]
    if "group" in place and items:
        answers[place["group"]] = items
    elif items:
        answers.update(items[-1])  # one person's fields: the youngest
    return answers


# --- related procedures the answers make likely ---------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the suggestion rules look at (computed at the counter, never stored)."""

    event: str = ""
    applicant_age: int | None = None
    household_ages: tuple[int, ...] = ()
    answers: tuple[Mapping[str, Any], ...] = ()


def visit_facts(
    *, event: str, shared: Mapping[str, Any], answers: Iterable[Mapping[str, Any]], today: date
) -> Facts:
    applicant = shared.get("applicant", {})
    ages = (_age(p.get("birth_date"), today) for p in shared.get("household", []))
    return Facts(
        event=event,
        applicant_age=_age(applicant.get("applicant_birth_date"), today),
        household_ages=tuple(a for a in ages if a is not None),
        answers=tuple(answers),
    )


def _holds(when: Mapping[str, Any], facts: Facts) -> bool:
    if "event" in when and facts.event not in when["event"]:
        return False
    if "child_under" in when and not any(a < when["child_under"] for a in facts.household_ages):
        return False
    if "applicant_age_at_least" in when and (
        facts.applicant_age is None or facts.applicant_age < when["applicant_age_at_least"]
    ):
        return False
    if "answer" in when:
        field, values = when["answer"]["field"], when["answer"]["in"]
        if not any(a.get(field) in values for a in facts.answers):
            return False
    return True


@dataclass(frozen=True)
class Suggestion:
    procedure: str  # slug
    reasons: tuple[tuple[str, str], ...]  # (Japanese, English) per rule that holds


def suggestions(
    facts: Facts, *, offered: Iterable[str], already: Sequence[str] = ()
) -> list[Suggestion]:
    """Procedures (slugs among `offered`, not in `already`) the rules propose, in rule order,
    each with every reason that holds."""
    offered = set(offered)
    found: dict[str, list[tuple[str, str]]] = {}
    for rule in rules()["suggestions"]:
        slug = rule["procedure"]
        if slug in offered and slug not in already and _holds(rule["when"], facts):
            found.setdefault(slug, []).append((rule["reason"], rule["reason_en"]))
    return [Suggestion(slug, tuple(reasons)) for slug, reasons in found.items()]
