"""A form definition as data: parsed from JSON into frozen dataclasses, with path-named errors.

The format is documented in docs/form-definition.md. Parsing checks everything that can be
checked without answers: field types, option values, condition references (which must point
at a field that comes earlier, so conditions can never form a cycle) and unique keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import cached_property
from typing import Any

FORMAT_VERSION = 1

FIELD_TYPES = frozenset(
    {
        "name",
        "date",
        "postal_code",
        "address",
        "phone",
        "email",
        "choice",
        "multi_choice",
        "checkbox",
        "number",
        "text",
        "long_text",
        "file",
        "group",
        "notice",
    }
)
# Types that hold no answer.
DISPLAY_ONLY_TYPES = frozenset({"notice"})
# Types whose answers may drive a condition.
CONTROLLER_TYPES = frozenset({"choice", "multi_choice", "checkbox", "number", "text"})

# Semantic roles: other channels (counter pre-input, card reader, staff entry, print) find the
# applicant's data through these, whatever the field keys are.
ROLES = frozenset(
    {
        "applicant_name",
        "applicant_birth_date",
        "applicant_email",
        "applicant_phone",
        "applicant_postal_code",
        "applicant_address",
        "applicant_sex",
    }
)
ROLE_TYPES = {
    "applicant_name": "name",
    "applicant_birth_date": "date",
    "applicant_email": "email",
    "applicant_phone": "phone",
    "applicant_postal_code": "postal_code",
    "applicant_address": "address",
    "applicant_sex": "choice",
}

CHANNELS = frozenset({"online", "counter", "staff", "print"})
TEXT_FORMATS = frozenset({"", "digits", "katakana", "alphanumeric"})
# File kinds a definition may accept; sniffed from the content, not the file name.
FILE_KINDS = frozenset({"pdf", "jpeg", "png", "heic", "gif", "webp"})
NAME_KANA_MODES = frozenset({"required", "optional", "none"})

# Lower-case ASCII words joined by single underscores: also safe inside HTML names, where
# "__" separates the parts of a path.
_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_DATE_BOUND = re.compile(r"today(?:([+-])([0-9]{1,4})([dmy]))?|[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_KEY_LENGTH = 50
MAX_GROUP_ITEMS = 50


class DefinitionError(ValueError):
    """A form definition that cannot be used; `path` names the offending place."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


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

    @property
    def holds_value(self) -> bool:
        return self.type not in DISPLAY_ONLY_TYPES

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
    when: Condition | None = None


@dataclass(frozen=True)
class FormDefinition:
    steps: tuple[Step, ...]
    format: int = FORMAT_VERSION
    title: str = ""
    title_en: str = ""
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


def resolve_date_bound(bound: str, today: date) -> date:
    """ "today", "today-18y", "today+30d", "today-6m" or an ISO date, as a date."""
    match = _DATE_BOUND.fullmatch(bound)
    if match is None:
        raise ValueError(bound)
    if not bound.startswith("today"):
        return date.fromisoformat(bound)
    if match.group(1) is None:
        return today
    amount = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
    unit = match.group(3)
    if unit == "d":
        return date.fromordinal(today.toordinal() + amount)
    months = today.year * 12 + today.month - 1 + (amount * 12 if unit == "y" else amount)
    year, month = divmod(months, 12)
    month += 1
    # 29 February minus a year, or 31 March minus a month: the last day of that month.
    day = today.day
    while day > 28:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1
    return date(year, month, day)


class _Parser:
    def __init__(self) -> None:
        # Top-level field keys seen so far, in document order: conditions may only look back.
        self.seen: dict[str, Field] = {}
        self.index: dict[str, tuple[Step, Field]] = {}

    def definition(self, data: Any) -> FormDefinition:
        obj = _mapping(data, "")
        _known_keys(obj, "", {"format", "title", "title_en", "steps"})
        fmt = obj.get("format", FORMAT_VERSION)
        if fmt != FORMAT_VERSION:
            raise DefinitionError(
                "format", f"unsupported format {fmt!r}; expected {FORMAT_VERSION}"
            )
        raw_steps = _list(obj.get("steps"), "steps")
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
        return FormDefinition(
            steps=tuple(steps),
            format=FORMAT_VERSION,
            title=_text(obj, "title", "", required=False),
            title_en=_text(obj, "title_en", "", required=False),
            _index=self.index,
        )

    def step(self, data: Any, path: str) -> Step:
        obj = _mapping(data, path)
        _known_keys(
            obj,
            path,
            {"key", "title", "title_en", "description", "description_en", "when", "fields"},
        )
        key = _key(obj, path)
        when = _condition(obj.get("when"), f"{path}.when", self.seen, {}) if "when" in obj else None
        raw_fields = _list(obj.get("fields"), f"{path}.fields")
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
        _check_fills(fields, path, self.seen)
        return Step(
            key=key,
            title=_text(obj, "title", path),
            title_en=_text(obj, "title_en", path, required=False),
            description=_text(obj, "description", path, required=False),
            description_en=_text(obj, "description_en", path, required=False),
            when=when,
            fields=tuple(fields),
        )

    def field(self, data: Any, path: str, *, siblings: dict[str, Field], in_group: bool) -> Field:
        obj = _mapping(data, path)
        key = _key(obj, path)
        ftype = obj.get("type")
        if ftype not in FIELD_TYPES:
            raise DefinitionError(
                f"{path}.type",
                f"unknown field type {ftype!r}; use one of {', '.join(sorted(FIELD_TYPES))}",
            )
        allowed = _COMMON_ATTRIBUTES | _TYPE_ATTRIBUTES.get(ftype, frozenset())
        _known_keys(obj, path, allowed)
        kwargs: dict[str, Any] = {
            "key": key,
            "type": ftype,
            "label": _text(obj, "label", path),
            "label_en": _text(obj, "label_en", path, required=False),
            "help": _text(obj, "help", path, required=False),
            "help_en": _text(obj, "help_en", path, required=False),
            "required": _bool(obj, "required", path, default=False),
            "autocomplete": _text(obj, "autocomplete", path, required=False),
            "print_label": _text(obj, "print_label", path, required=False),
            "print_order": _int(obj, "print_order", path),
        }
        if ftype in DISPLAY_ONLY_TYPES and kwargs["required"]:
            raise DefinitionError(f"{path}.required", f"a {ftype} holds no answer")
        role = _text(obj, "role", path, required=False)
        if role:
            if role not in ROLES:
                raise DefinitionError(
                    f"{path}.role", f"unknown role {role!r}; use one of {', '.join(sorted(ROLES))}"
                )
            if ROLE_TYPES[role] != ftype:
                raise DefinitionError(
                    f"{path}.role", f"role {role!r} needs a {ROLE_TYPES[role]} field"
                )
            if in_group:
                raise DefinitionError(f"{path}.role", "roles are not allowed inside a group")
        kwargs["role"] = role
        if "channels" in obj:
            channels = _list(obj["channels"], f"{path}.channels")
            for c in channels:
                if c not in CHANNELS:
                    raise DefinitionError(
                        f"{path}.channels",
                        f"unknown channel {c!r}; use {', '.join(sorted(CHANNELS))}",
                    )
            kwargs["channels"] = frozenset(channels)
        for attr in ("when", "required_when"):
            if attr in obj:
                kwargs[attr] = _condition(obj[attr], f"{path}.{attr}", self.seen, siblings)
        if ftype in ("choice", "multi_choice"):
            kwargs["options"] = _options(obj.get("options"), f"{path}.options")
            widget = _text(obj, "widget", path, required=False) or (
                "radio" if ftype == "choice" else "checkbox"
            )
            if (ftype == "choice" and widget not in ("radio", "select")) or (
                ftype == "multi_choice" and widget != "checkbox"
            ):
                raise DefinitionError(f"{path}.widget", f"unknown widget {widget!r}")
            kwargs["widget"] = widget
            kwargs["min_selected"] = _int(obj, "min_selected", path, minimum=0)
            kwargs["max_selected"] = _int(obj, "max_selected", path, minimum=1)
        if ftype == "checkbox":
            kwargs["checkbox_label"] = _text(obj, "checkbox_label", path, required=False)
        if ftype == "number":
            kwargs["min_value"] = _int(obj, "min", path)
            kwargs["max_value"] = _int(obj, "max", path)
            if (
                kwargs["min_value"] is not None
                and kwargs["max_value"] is not None
                and kwargs["min_value"] > kwargs["max_value"]
            ):
                raise DefinitionError(f"{path}.min", "min is greater than max")
            kwargs["unit"] = _text(obj, "unit", path, required=False)
        if ftype in ("text", "long_text"):
            kwargs["min_length"] = _int(obj, "min_length", path, minimum=0)
            kwargs["max_length"] = _int(obj, "max_length", path, minimum=1, maximum=20000)
            fmt = _text(obj, "format", path, required=False)
            if fmt not in TEXT_FORMATS or (fmt and ftype == "long_text"):
                raise DefinitionError(f"{path}.format", f"unknown text format {fmt!r}")
            kwargs["format"] = fmt
        if ftype == "date":
            for attr, name in (("min_date", "min"), ("max_date", "max")):
                bound = _text(obj, name, path, required=False)
                if bound:
                    try:
                        resolve_date_bound(bound, date(2000, 1, 1))
                    except ValueError:
                        raise DefinitionError(
                            f"{path}.{name}",
                            f"bad date bound {bound!r}; use YYYY-MM-DD, today, today-18y, today+30d",
                        ) from None
                kwargs[attr] = bound
        if ftype == "name":
            kana = _text(obj, "kana", path, required=False) or "required"
            if kana not in NAME_KANA_MODES:
                raise DefinitionError(
                    f"{path}.kana", f"use one of {', '.join(sorted(NAME_KANA_MODES))}"
                )
            kwargs["kana"] = kana
        if ftype == "postal_code":
            kwargs["fills"] = _text(obj, "fills", path, required=False)
        if ftype == "file":
            accept = tuple(_list(obj.get("accept", ["pdf", "jpeg", "png"]), f"{path}.accept"))
            for kind in accept:
                if kind not in FILE_KINDS:
                    raise DefinitionError(
                        f"{path}.accept",
                        f"unknown file kind {kind!r}; use {', '.join(sorted(FILE_KINDS))}",
                    )
            if not accept:
                raise DefinitionError(f"{path}.accept", "accept at least one file kind")
            kwargs["accept"] = accept
            kwargs["max_bytes"] = _int(obj, "max_bytes", path, minimum=1)
        if ftype == "group":
            if in_group:
                raise DefinitionError(f"{path}.type", "a group cannot contain another group")
            kwargs["min_items"] = (
                _int(obj, "min_items", path, minimum=0, maximum=MAX_GROUP_ITEMS) or 0
            )
            max_items = _int(obj, "max_items", path, minimum=1, maximum=MAX_GROUP_ITEMS)
            kwargs["max_items"] = max_items if max_items is not None else 10
            if kwargs["min_items"] > kwargs["max_items"]:
                raise DefinitionError(f"{path}.min_items", "min_items is greater than max_items")
            kwargs["item_label"] = _text(obj, "item_label", path, required=False)
            kwargs["add_label"] = _text(obj, "add_label", path, required=False)
            raw_subfields = _list(obj.get("fields"), f"{path}.fields")
            if not raw_subfields:
                raise DefinitionError(f"{path}.fields", "a group needs at least one field")
            subs: dict[str, Field] = {}
            for k, raw_sub in enumerate(raw_subfields):
                spath = f"{path}.fields[{k}]"
                sub = self.field(raw_sub, spath, siblings=subs, in_group=True)
                if sub.key in subs:
                    raise DefinitionError(f"{spath}.key", f"duplicate field key {sub.key!r}")
                subs[sub.key] = sub
            _check_fills(list(subs.values()), path, subs)
            kwargs["fields"] = tuple(subs.values())
        return Field(**kwargs)


_COMMON_ATTRIBUTES = frozenset(
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
        "autocomplete",
        "channels",
        "print_label",
        "print_order",
    }
)
_TYPE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "choice": frozenset({"options", "widget"}),
    "multi_choice": frozenset({"options", "widget", "min_selected", "max_selected"}),
    "checkbox": frozenset({"checkbox_label"}),
    "number": frozenset({"min", "max", "unit"}),
    "text": frozenset({"min_length", "max_length", "format"}),
    "long_text": frozenset({"min_length", "max_length", "format"}),
    "date": frozenset({"min", "max"}),
    "name": frozenset({"kana"}),
    "postal_code": frozenset({"fills"}),
    "file": frozenset({"accept", "max_bytes"}),
    "group": frozenset({"fields", "min_items", "max_items", "item_label", "add_label"}),
}


def _check_fills(fields: Sequence[Field], path: str, scope: Mapping[str, Field]) -> None:
    keys = {f.key: f for f in fields}
    for j, f in enumerate(fields):
        if f.type == "postal_code" and f.fills:
            target = keys.get(f.fills)
            if target is None or target.type != "address":
                raise DefinitionError(
                    f"{path}.fields[{j}].fills",
                    f"{f.fills!r} is not an address field in the same step or group",
                )


def _mapping(data: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise DefinitionError(path, "expected an object")
    return data


def _list(data: Any, path: str) -> list[Any]:
    if not isinstance(data, list):
        raise DefinitionError(path, "expected a list")
    return data


def _known_keys(obj: Mapping[str, Any], path: str, allowed: frozenset[str] | set[str]) -> None:
    for name in obj:
        if name not in allowed:
            where = f"{path}.{name}" if path else str(name)
            raise DefinitionError(where, f"unknown attribute {name!r}")


def _key(obj: Mapping[str, Any], path: str) -> str:
    key = obj.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > _MAX_KEY_LENGTH:
        raise DefinitionError(
            f"{path}.key",
            f"bad key {key!r}: use lower-case letters, digits and single underscores, "
            f"starting with a letter (at most {_MAX_KEY_LENGTH} characters)",
        )
    return key


def _text(obj: Mapping[str, Any], name: str, path: str, *, required: bool = True) -> str:
    value = obj.get(name)
    if value is None:
        if required:
            raise DefinitionError(f"{path}.{name}" if path else name, "required")
        return ""
    if not isinstance(value, str):
        raise DefinitionError(f"{path}.{name}" if path else name, "expected a string")
    if required and not value.strip():
        raise DefinitionError(f"{path}.{name}", "must not be empty")
    return value


def _bool(obj: Mapping[str, Any], name: str, path: str, *, default: bool) -> bool:
    value = obj.get(name, default)
    if not isinstance(value, bool):
        raise DefinitionError(f"{path}.{name}", "expected true or false")
    return value


def _int(
    obj: Mapping[str, Any],
    name: str,
    path: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{path}.{name}", "expected an integer")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise DefinitionError(f"{path}.{name}", f"out of range ({minimum}–{maximum})")
    return value


def _options(data: Any, path: str) -> tuple[Option, ...]:
    raw = _list(data, path)
    if not raw:
        raise DefinitionError(path, "at least one option is needed")
    options: list[Option] = []
    values: set[str] = set()
    for i, item in enumerate(raw):
        opath = f"{path}[{i}]"
        obj = _mapping(item, opath)
        _known_keys(obj, opath, {"value", "label", "label_en"})
        value = obj.get("value")
        if not isinstance(value, str) or not _KEY.fullmatch(value):
            raise DefinitionError(
                f"{opath}.value", f"bad option value {value!r}: use lower-case letters, digits, _"
            )
        if value in values:
            raise DefinitionError(f"{opath}.value", f"duplicate option value {value!r}")
        values.add(value)
        options.append(
            Option(value, _text(obj, "label", opath), _text(obj, "label_en", opath, required=False))
        )
    return tuple(options)


_CONDITION_OPS = ("equals", "not_equals", "in", "not_in", "filled")


def _condition(
    data: Any, path: str, top: Mapping[str, Field], siblings: Mapping[str, Field]
) -> Condition:
    obj = _mapping(data, path)
    for combinator in ("all", "any"):
        if combinator in obj:
            _known_keys(obj, path, {combinator})
            items = _list(obj[combinator], f"{path}.{combinator}")
            if not items:
                raise DefinitionError(f"{path}.{combinator}", "needs at least one condition")
            return Condition(
                op=combinator,
                conditions=tuple(
                    _condition(c, f"{path}.{combinator}[{i}]", top, siblings)
                    for i, c in enumerate(items)
                ),
            )
    _known_keys(obj, path, {"field", *_CONDITION_OPS})
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
    if controller.type not in CONTROLLER_TYPES:
        raise DefinitionError(
            f"{path}.field", f"a {controller.type} field cannot drive a condition"
        )
    value = obj[op]
    if op in ("in", "not_in"):
        values = _list(value, f"{path}.{op}")
        for v in values:
            _check_condition_value(controller, v, f"{path}.{op}")
        value = tuple(values)
    elif op == "filled":
        if not isinstance(value, bool):
            raise DefinitionError(f"{path}.filled", "expected true or false")
    else:
        _check_condition_value(controller, value, f"{path}.{op}")
    return Condition(op=op, field=key, value=value)


def _check_condition_value(controller: Field, value: Any, path: str) -> None:
    if controller.type in ("choice", "multi_choice"):
        if value not in {o.value for o in controller.options}:
            raise DefinitionError(path, f"{value!r} is not an option of {controller.key!r}")
    elif controller.type == "checkbox":
        if not isinstance(value, bool):
            raise DefinitionError(path, "compare a checkbox with true or false")
    elif controller.type == "number":
        if isinstance(value, bool) or not isinstance(value, int):
            raise DefinitionError(path, "compare a number field with an integer")
    elif not isinstance(value, str):
        raise DefinitionError(path, "compare a text field with a string")
