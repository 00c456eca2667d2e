"""Answers as people read them: check-your-answers page, staff view, printing; the applicant."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .conditions import evaluate, field_applies
from .definition import Field, FormDefinition
from .fields import field_type
from .fields.group import item_title
from .validation import prune_hidden, visible_steps


@dataclass(frozen=True)
class SummaryRow:
    path: str
    label: str
    value: str
    type: str
    print_label: str = ""
    # A repeating group: one list of rows per item, with the item titles.
    items: tuple[SummaryItem, ...] = ()
    # The text for a printed official form ("" leaves the box blank).
    print_value: str = ""

    @property
    def is_group(self) -> bool:
        return field_type(self.type).repeats


@dataclass(frozen=True)
class SummaryItem:
    title: str
    rows: tuple[SummaryRow, ...]


@dataclass(frozen=True)
class SummarySection:
    step_key: str
    title: str
    rows: list[SummaryRow] = field(default_factory=list)


def summarize(
    definition: FormDefinition, answers: Mapping[str, Any], *, channel: str = "online"
) -> list[SummarySection]:
    """Sections (one per visible step) of rows with display values, hidden branches left out."""
    kept = prune_hidden(definition, answers, channel=channel)
    sections = []
    for step in visible_steps(definition, kept, channel=channel):
        rows = [
            _row(f, f.key, kept.get(f.key), kept, channel)
            for f in step.fields
            if field_applies(f, channel) and (f.when is None or evaluate(f.when, kept))
        ]
        sections.append(SummarySection(step.key, step.title, rows))
    return sections


def _row(f: Field, path: str, value: Any, context: Mapping[str, Any], channel: str) -> SummaryRow:
    if f.kind.repeats:
        items = []
        for i, item in enumerate(value if isinstance(value, list) else []):
            item_map = item if isinstance(item, Mapping) else {}
            lookup = ChainMap(dict(item_map), dict(context))
            rows = tuple(
                _row(sub, f"{path}.{i}.{sub.key}", item_map.get(sub.key), lookup, channel)
                for sub in f.fields
                if field_applies(sub, channel) and (sub.when is None or evaluate(sub.when, lookup))
            )
            items.append(SummaryItem(item_title(f, i), rows))
        return SummaryRow(
            path,
            f.label,
            f.kind.show(f, value if isinstance(value, list) else []),
            f.type,
            f.print_label,
            tuple(items),
        )
    return SummaryRow(
        path,
        f.label,
        display_value(f, value),
        f.type,
        f.print_label,
        print_value=print_value(f, value),
    )


def display_value(f: Field, value: Any) -> str:
    """One answer as text: 和暦 with 西暦, names with フリガナ, choices by label, files by name."""
    return f.kind.display(f, value)


def print_value(f: Field, value: Any) -> str:
    """One answer as written on a printed official form: 和暦, labels, ○ for a ticked box."""
    return f.kind.print_value(f, value)


@dataclass(frozen=True)
class PrintItem:
    """One box of a printed official form, in the form's order."""

    path: str
    label: str  # the paper form's own label (print_label), else the field's label
    value: str


@dataclass(frozen=True)
class PrintedField:
    """A field that appears on a printed form, with its answer (hidden branches pruned)."""

    field: Field
    value: Any
    answers: Mapping[str, Any]  # the pruned answers its conditions are read against


def printed_fields(definition: FormDefinition, answers: Mapping[str, Any]) -> list[PrintedField]:
    """Top-level fields for the "print" channel in print order (print_order, then form order)."""
    kept = prune_hidden(definition, answers, channel="print")
    return [
        PrintedField(f, kept.get(f.key), kept)
        for f in _print_ordered(
            f
            for step in visible_steps(definition, kept, channel="print")
            for f in step.fields
            if field_applies(f, "print") and (f.when is None or evaluate(f.when, kept))
        )
    ]


def printed_subfields(printed: PrintedField, item: Mapping[str, Any]) -> list[Field]:
    """The fields of one repeating-group item that appear on paper, in print order."""
    lookup = ChainMap(dict(item), dict(printed.answers))
    return [
        sub
        for sub in _print_ordered(printed.field.fields)
        if field_applies(sub, "print") and (sub.when is None or evaluate(sub.when, lookup))
    ]


def printed_group_columns(printed: PrintedField) -> list[Field]:
    """The columns of a repeating group's table on paper (fields for the "print" channel)."""
    return [
        sub
        for sub in _print_ordered(printed.field.fields)
        if sub.holds_value and field_applies(sub, "print")
    ]


def print_items(definition: FormDefinition, answers: Mapping[str, Any]) -> list[PrintItem]:
    """The answers for a printed form as flat boxes: groups item by item ("子ども1 生年月日")."""
    items: list[PrintItem] = []
    for printed in printed_fields(definition, answers):
        f = printed.field
        label = f.print_label or f.label
        if not f.kind.repeats:
            items.append(PrintItem(f.key, label, print_value(f, printed.value)))
            continue
        for i, item in enumerate(printed.value if isinstance(printed.value, list) else []):
            item_map = item if isinstance(item, Mapping) else {}
            title = item_title(f, i)
            for sub in printed_subfields(printed, item_map):
                items.append(
                    PrintItem(
                        f"{f.key}.{i}.{sub.key}",
                        f"{title} {sub.print_label or sub.label}",
                        print_value(sub, item_map.get(sub.key)),
                    )
                )
    return items


def _print_ordered(fields: Iterable[Field]) -> list[Field]:
    indexed = list(enumerate(fields))
    indexed.sort(key=lambda pair: (pair[1].print_order is None, pair[1].print_order or 0, pair[0]))
    return [f for _i, f in indexed]


def fill_from_card(definition: FormDefinition, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Raw answers for the fields a definition fills from the card (`"card": …`), by field key.

    `attributes` are what the card agent reads: name, address, birth_date (YYYY-MM-DD), sex
    (1/2/9). Each field's type turns its attribute into its own answer shape; a field whose
    attribute is missing or unusable is left out, so staff type it. The result goes through
    the same validation as any answer (`validate_answers`).
    """
    filled: dict[str, Any] = {}
    for f in definition.top_fields():
        if not f.card:
            continue
        value = f.kind.fill_from_card(f, attributes)
        if value is not None:
            filled[f.key] = value
    return filled


@dataclass(frozen=True)
class Applicant:
    """Who applied, found through field roles; empty strings / None where not asked."""

    name: str = ""
    name_kana: str = ""
    family_name: str = ""
    given_name: str = ""
    birth_date: date | None = None
    email: str = ""
    phone: str = ""
    postal_code: str = ""
    address: str = ""


def extract_applicant(definition: FormDefinition, answers: Mapping[str, Any]) -> Applicant:
    """The applicant's name, birth date and contact details from fields by `role`."""
    kept = prune_hidden(definition, answers)

    def value_of(role: str) -> Any:
        f = definition.field_by_role(role)
        return kept.get(f.key) if f is not None else None

    name = value_of("applicant_name")
    family = given = family_kana = given_kana = ""
    if isinstance(name, Mapping):
        family = str(name.get("family") or "")
        given = str(name.get("given") or "")
        family_kana = str(name.get("family_kana") or "")
        given_kana = str(name.get("given_kana") or "")
    birth = value_of("applicant_birth_date")
    birth_date = None
    if isinstance(birth, str):
        try:
            birth_date = date.fromisoformat(birth)
        except ValueError:
            birth_date = None
    address_field = definition.field_by_role("applicant_address")
    address = value_of("applicant_address")
    return Applicant(
        name=" ".join(p for p in (family, given) if p),
        name_kana=" ".join(p for p in (family_kana, given_kana) if p),
        family_name=family,
        given_name=given,
        birth_date=birth_date,
        email=str(value_of("applicant_email") or ""),
        phone=str(value_of("applicant_phone") or ""),
        postal_code=str(value_of("applicant_postal_code") or ""),
        address=display_value(address_field, address)
        if address_field is not None and isinstance(address, Mapping)
        else "",
    )
