"""Answers as people read them: check-your-answers page, staff view, printing; the applicant."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from madoguchi.core.postal import format_postal_code

from .definition import Field, FormDefinition
from .forms import item_title
from .validation import evaluate, field_applies, prune_hidden, visible_steps
from .values import format_date_display


@dataclass(frozen=True)
class SummaryRow:
    path: str
    label: str
    value: str
    type: str
    print_label: str = ""
    # A repeating group: one list of rows per item, with the item titles.
    items: tuple[SummaryItem, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.type == "group"


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
    if f.type == "group":
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
            str(_("%(count)d件") % {"count": len(items)}),
            f.type,
            f.print_label,
            tuple(items),
        )
    return SummaryRow(path, f.label, display_value(f, value), f.type, f.print_label)


def display_value(f: Field, value: Any) -> str:
    """One answer as text: 和暦 with 西暦, names with フリガナ, choices by label, files by name."""
    if value in (None, "", [], {}) and f.type != "checkbox":
        return str(_("（未入力）"))
    if f.type == "name" and isinstance(value, Mapping):
        name = " ".join(p for p in (value.get("family"), value.get("given")) if p)
        kana = " ".join(p for p in (value.get("family_kana"), value.get("given_kana")) if p)
        return f"{name}（{kana}）" if kana else name
    if f.type == "date" and isinstance(value, str):
        try:
            return format_date_display(date.fromisoformat(value))
        except ValueError:
            return value
    if f.type == "postal_code" and isinstance(value, str) and len(value) == 7:
        return f"〒{format_postal_code(value)}"
    if f.type == "address" and isinstance(value, Mapping):
        line = "".join(str(value.get(p) or "") for p in ("prefecture", "city", "street"))
        building = value.get("building")
        return f"{line} {building}" if building else line
    if f.type == "choice":
        return f.option_label(str(value))
    if f.type == "multi_choice" and isinstance(value, list):
        return "、".join(f.option_label(str(v)) for v in value)
    if f.type == "checkbox":
        return str(_("はい") if value else _("いいえ"))
    if f.type == "number":
        return f"{value}{f.unit}"
    if f.type == "file" and isinstance(value, Mapping):
        return str(value.get("name") or _("添付ファイル"))
    return str(value)


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
