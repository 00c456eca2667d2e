"""A form definition as data: parsed from JSON into frozen dataclasses, with path-named errors.

The format is documented in docs/form-definition.md. Parsing checks everything that can be
checked without answers: field types, option values, condition references (which must point
at a field that comes earlier, so conditions can never form a cycle) and unique keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import Any

from .fees import FeeRule, parse_fees
from .fields import FieldType, ParseContext, field_type, registered
from .fields.file import FILE_KINDS
from .fields.name import NAME_KANA_MODES
from .fields.text import TEXT_FORMATS
from .parsing import (
    MAX_GROUP_ITEMS,
    OPTION_ATTRIBUTES,
    DefinitionError,
    as_list,
    known_keys,
    mapping,
    read_bool,
    read_int,
    read_key,
    read_text,
    resolve_date_bound,
)

__all__ = [
    "CARD_ATTRIBUTES",
    "CHANNELS",
    "DEFINITION_ATTRIBUTES",
    "FIELD_ATTRIBUTES",
    "FIELD_TYPES",
    "FILE_KINDS",
    "FORMAT_VERSION",
    "MAX_GROUP_ITEMS",
    "NAME_KANA_MODES",
    "OPTION_ATTRIBUTES",
    "ROLES",
    "STEP_ATTRIBUTES",
    "TEXT_FORMATS",
    "Condition",
    "DefinitionError",
    "Field",
    "FormDefinition",
    "Option",
    "Step",
    "accepted_attributes",
    "check_scope",
    "parse_definition",
    "resolve_date_bound",
]

FORMAT_VERSION = 1

# Every registered field type (fields/: one module per type).
FIELD_TYPES = frozenset(registered())

# Semantic roles: other channels (counter pre-input, card reader, staff entry, print) find the
# applicant's data through these, whatever the field keys are. Each role belongs to one type.
ROLES = frozenset(role for kind in registered().values() for role in kind.roles)

# What a My Number card's 券面事項入力補助AP gives (`"card": …` on a field).
CARD_ATTRIBUTES = frozenset({"name", "address", "birth_date", "sex"})

CHANNELS = frozenset({"online", "counter", "staff", "print"})


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class Condition:
    """`{"field": k, "equals": v}` and friends, or `{"all": [...]}` / `{"any": [...]}`.

    op is one of equals, not_equals, in, not_in, filled, all, any.
    """

    op: str
    field: str = ""
    value: Any = None
    conditions: tuple[Condition, ...] = ()

    def referenced_keys(self) -> set[str]:
        if self.op in ("all", "any"):
            return {key for c in self.conditions for key in c.referenced_keys()}
        return {self.field}

    def as_json(self) -> dict[str, Any]:
        if self.op in ("all", "any"):
            return {self.op: [c.as_json() for c in self.conditions]}
        return {"field": self.field, self.op: self.value}


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    label: str
    label_en: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = False
    required_when: Condition | None = None
    when: Condition | None = None
    role: str = ""
    autocomplete: str = ""
    channels: frozenset[str] = CHANNELS
    # Printed official forms: the label the paper form uses and the order on it.
    print_label: str = ""
    print_order: int | None = None
    # The card attribute that fills this field at the counter (name, address, birth_date, sex).
    card: str = ""
    # choice / multi_choice
    options: tuple[Option, ...] = ()
    widget: str = ""  # choice: "radio" (default) or "select"
    min_selected: int | None = None
    max_selected: int | None = None
    # checkbox: the text beside the box
    checkbox_label: str = ""
    # number
    min_value: int | None = None
    max_value: int | None = None
    unit: str = ""
    # text / long_text
    min_length: int | None = None
    max_length: int | None = None
    format: str = ""
    # date: ISO date or "today", "today-18y", "today+30d"
    min_date: str = ""
    max_date: str = ""
    # name
    kana: str = "required"
    # postal_code: key of the address field it fills (same step, or same group item)
    fills: str = ""
    # file
    accept: tuple[str, ...] = ("pdf", "jpeg", "png")
    max_bytes: int | None = None
    # group
    fields: tuple[Field, ...] = ()
    min_items: int = 0
    max_items: int = 10
    item_label: str = ""  # e.g. "{n}人目のお子さん"
    add_label: str = ""  # e.g. "お子さんを追加する"

    @cached_property
    def kind(self) -> FieldType:
        """The field type's behaviour (fields/ registry): the engine dispatches through it."""
        return field_type(self.type)

    @property
    def holds_value(self) -> bool:
        return self.kind.holds_value

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    def subfield(self, key: str) -> Field | None:
        for sub in self.fields:
            if sub.key == key:
                return sub
        return None


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    fields: tuple[Field, ...]
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    description_easy: str = ""  # やさしい日本語
    when: Condition | None = None


@dataclass(frozen=True)
class FormDefinition:
    steps: tuple[Step, ...]
    format: int = FORMAT_VERSION
    title: str = ""
    title_en: str = ""
    # The fee rule (fees.py), if the procedure charges one.
    fees: FeeRule | None = None
    _index: Mapping[str, tuple[Step, Field]] = dataclass_field(
        default_factory=dict, compare=False, repr=False
    )

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def field(self, key: str) -> Field:
        """A top-level field by key."""
        return self._index[key][1]

    def step_of(self, key: str) -> Step:
        return self._index[key][0]

    def top_fields(self) -> Iterator[Field]:
        for step in self.steps:
            yield from step.fields

    def field_by_role(self, role: str) -> Field | None:
        return self._roles.get(role)

    @cached_property
    def _roles(self) -> dict[str, Field]:
        """The first top-level field of each role (a definition never changes once parsed)."""
        roles: dict[str, Field] = {}
        for f in self.top_fields():
            if f.role:
                roles.setdefault(f.role, f)
        return roles


# --- Parsing ---------------------------------------------------------------------------------


def parse_definition(data: Any) -> FormDefinition:
    """Parse a JSON form definition; raise DefinitionError naming the bad path."""
    parser = _Parser()
    return parser.definition(data)


class _Parser:
    def __init__(self) -> None:
        # Top-level field keys seen so far, in document order: conditions may only look back.
        self.seen: dict[str, Field] = {}
        self.index: dict[str, tuple[Step, Field]] = {}

    def definition(self, data: Any) -> FormDefinition:
        obj = mapping(data, "")
        known_keys(obj, "", DEFINITION_ATTRIBUTES)
        fmt = obj.get("format", FORMAT_VERSION)
        if fmt != FORMAT_VERSION:
            raise DefinitionError(
                "format", f"unsupported format {fmt!r}; expected {FORMAT_VERSION}"
            )
        raw_steps = as_list(obj.get("steps"), "steps")
        if not raw_steps:
            raise DefinitionError("steps", "a form needs at least one step")
        steps: list[Step] = []
        step_keys: set[str] = set()
        for i, raw_step in enumerate(raw_steps):
            step = self.step(raw_step, f"steps[{i}]")
            if step.key in step_keys:
                raise DefinitionError(f"steps[{i}].key", f"duplicate step key {step.key!r}")
            step_keys.add(step.key)
            steps.append(step)
            for f in step.fields:
                self.index[f.key] = (step, f)
        fees = parse_fees(obj["fees"], "fees", self.seen, _condition) if "fees" in obj else None
        return FormDefinition(
            steps=tuple(steps),
            format=FORMAT_VERSION,
            title=read_text(obj, "title", "", required=False),
            title_en=read_text(obj, "title_en", "", required=False),
            fees=fees,
            _index=self.index,
        )

    def step(self, data: Any, path: str) -> Step:
        obj = mapping(data, path)
        known_keys(obj, path, STEP_ATTRIBUTES)
        key = read_key(obj, path)
        when = _condition(obj.get("when"), f"{path}.when", self.seen, {}) if "when" in obj else None
        raw_fields = as_list(obj.get("fields"), f"{path}.fields")
        if not raw_fields:
            raise DefinitionError(f"{path}.fields", "a step needs at least one field")
        fields: list[Field] = []
        for j, raw_field in enumerate(raw_fields):
            fpath = f"{path}.fields[{j}]"
            f = self.field(raw_field, fpath, siblings={}, in_group=False)
            if f.key in self.seen:
                raise DefinitionError(f"{fpath}.key", f"duplicate field key {f.key!r}")
            self.seen[f.key] = f
            fields.append(f)
        check_scope(fields, path, self.seen)
        return Step(
            key=key,
            title=read_text(obj, "title", path),
            title_en=read_text(obj, "title_en", path, required=False),
            description=read_text(obj, "description", path, required=False),
            description_en=read_text(obj, "description_en", path, required=False),
            description_easy=read_text(obj, "description_easy", path, required=False),
            when=when,
            fields=tuple(fields),
        )

    def field(self, data: Any, path: str, *, siblings: dict[str, Field], in_group: bool) -> Field:
        obj = mapping(data, path)
        key = read_key(obj, path)
        ftype = obj.get("type")
        try:
            kind = field_type(ftype if isinstance(ftype, str) else "")
        except KeyError:
            raise DefinitionError(
                f"{path}.type",
                f"unknown field type {ftype!r}; use one of {', '.join(sorted(FIELD_TYPES))}",
            ) from None
        known_keys(obj, path, FIELD_ATTRIBUTES | kind.attributes)
        kwargs: dict[str, Any] = {
            "key": key,
            "type": ftype,
            "label": read_text(obj, "label", path),
            "label_en": read_text(obj, "label_en", path, required=False),
            "help": read_text(obj, "help", path, required=False),
            "help_en": read_text(obj, "help_en", path, required=False),
            "required": read_bool(obj, "required", path, default=False),
            "autocomplete": read_text(obj, "autocomplete", path, required=False),
            "print_label": read_text(obj, "print_label", path, required=False),
            "print_order": read_int(obj, "print_order", path),
        }
        if not kind.holds_value and kwargs["required"]:
            raise DefinitionError(f"{path}.required", f"a {ftype} holds no answer")
        role = read_text(obj, "role", path, required=False)
        if role:
            if role not in ROLES:
                raise DefinitionError(
                    f"{path}.role", f"unknown role {role!r}; use one of {', '.join(sorted(ROLES))}"
                )
            if role not in kind.roles:
                raise DefinitionError(
                    f"{path}.role", f"role {role!r} needs a {_type_with_role(role)} field"
                )
            if in_group:
                raise DefinitionError(f"{path}.role", "roles are not allowed inside a group")
        kwargs["role"] = role
        card = read_text(obj, "card", path, required=False)
        if card:
            if card not in CARD_ATTRIBUTES:
                raise DefinitionError(
                    f"{path}.card",
                    f"unknown card attribute {card!r}; use one of {', '.join(sorted(CARD_ATTRIBUTES))}",
                )
            if card not in kind.card_attributes:
                raise DefinitionError(
                    f"{path}.card", f"a {ftype} field cannot be filled from the card's {card}"
                )
            if in_group:
                raise DefinitionError(f"{path}.card", "card filling is not allowed inside a group")
        kwargs["card"] = card
        if "channels" in obj:
            channels = as_list(obj["channels"], f"{path}.channels")
            for c in channels:
                if c not in CHANNELS:
                    raise DefinitionError(
                        f"{path}.channels",
                        f"unknown channel {c!r}; use {', '.join(sorted(CHANNELS))}",
                    )
            kwargs["channels"] = frozenset(channels)
        elif kind.channels_not_by_default:
            kwargs["channels"] = CHANNELS - kind.channels_not_by_default
        for attr in ("when", "required_when"):
            if attr in obj:
                kwargs[attr] = _condition(obj[attr], f"{path}.{attr}", self.seen, siblings)
        kind.parse(
            obj,
            path,
            kwargs,
            ParseContext(
                in_group=in_group,
                parse_field=lambda raw, spath, subs: self.field(
                    raw, spath, siblings=subs, in_group=True
                ),
            ),
        )
        return Field(**kwargs)


# The attributes the parser accepts on the definition, a step, and every field (a field also
# takes its type's own, `FieldType.attributes`; an option takes parsing.OPTION_ATTRIBUTES). A
# text's English version is `<name>_en`, its やさしい日本語 version `<name>_easy`.
DEFINITION_ATTRIBUTES = frozenset({"format", "title", "title_en", "steps", "fees"})
STEP_ATTRIBUTES = frozenset(
    {"key", "title", "title_en", "description", "description_en", "description_easy"}
    | {"when", "fields"}
)
FIELD_ATTRIBUTES = frozenset(
    {
        "key",
        "type",
        "label",
        "label_en",
        "help",
        "help_en",
        "required",
        "required_when",
        "when",
        "role",
        "card",
        "autocomplete",
        "channels",
        "print_label",
        "print_order",
    }
)


def accepted_attributes() -> dict[str, frozenset[str]]:
    """Every attribute the parser accepts, by where it stands: "definition", "step", "field"
    (any field), "option", and "field:<type>" (a type's own)."""
    return {
        "definition": DEFINITION_ATTRIBUTES,
        "step": STEP_ATTRIBUTES,
        "field": FIELD_ATTRIBUTES,
        "option": OPTION_ATTRIBUTES,
        **{f"field:{name}": kind.attributes for name, kind in registered().items()},
    }


def _type_with_role(role: str) -> str:
    return next(name for name, kind in registered().items() if role in kind.roles)


def check_scope(fields: Sequence[Field], path: str, scope: Mapping[str, Field]) -> None:
    """Each field's checks against the other fields of its step or group item (e.g. `fills`)."""
    keys = {f.key: f for f in fields}
    for j, f in enumerate(fields):
        f.kind.check_scope(f, j, keys, path)


_CONDITION_OPS = ("equals", "not_equals", "in", "not_in", "filled")


def _condition(
    data: Any, path: str, top: Mapping[str, Field], siblings: Mapping[str, Field]
) -> Condition:
    obj = mapping(data, path)
    for combinator in ("all", "any"):
        if combinator in obj:
            known_keys(obj, path, {combinator})
            items = as_list(obj[combinator], f"{path}.{combinator}")
            if not items:
                raise DefinitionError(f"{path}.{combinator}", "needs at least one condition")
            return Condition(
                op=combinator,
                conditions=tuple(
                    _condition(c, f"{path}.{combinator}[{i}]", top, siblings)
                    for i, c in enumerate(items)
                ),
            )
    known_keys(obj, path, {"field", *_CONDITION_OPS})
    ops = [op for op in _CONDITION_OPS if op in obj]
    if len(ops) != 1:
        raise DefinitionError(path, f"give exactly one of {', '.join(_CONDITION_OPS)}")
    op = ops[0]
    key = obj.get("field")
    if not isinstance(key, str):
        raise DefinitionError(f"{path}.field", "expected a field key")
    controller = siblings.get(key) or top.get(key)
    if controller is None:
        raise DefinitionError(f"{path}.field", f"{key!r} is not a field that comes before this one")
    if not controller.kind.drives_conditions:
        raise DefinitionError(
            f"{path}.field", f"a {controller.type} field cannot drive a condition"
        )
    value = obj[op]
    if op in ("in", "not_in"):
        values = as_list(value, f"{path}.{op}")
        for v in values:
            controller.kind.check_condition_value(controller, v, f"{path}.{op}")
        value = tuple(values)
    elif op == "filled":
        if not isinstance(value, bool):
            raise DefinitionError(f"{path}.filled", "expected true or false")
    else:
        controller.kind.check_condition_value(controller, value, f"{path}.{op}")
    return Condition(op=op, field=key, value=value)
