"""Edits on a form definition's JSON (the format of procedures/formdef), addressed by the
parser's own paths: `steps[0]`, `steps[0].fields[2]`, `steps[0].fields[2].fields[1]`.

Every function takes the definition and returns a new one (the input is never changed), so a
service can compare, validate and store the result. Edits keep the format: whatever a form
does not manage (a future attribute, a complex condition) is carried over untouched.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from madoguchi.procedures.formdef.fields import FieldType, field_type
from madoguchi.procedures.formdef.fields.text import TextType

NODE_PATH = re.compile(r"steps\[(\d+)\](?:\.fields\[(\d+)\](?:\.fields\[(\d+)\])?)?")


class EditError(ValueError):
    """An edit that cannot be made (a path that names nothing, a move past the end)."""


@dataclass(frozen=True)
class NodePath:
    """A step (field is None), a field of a step, or a sub-field of a group."""

    step: int
    field: int | None = None
    sub: int | None = None

    @classmethod
    def parse(cls, text: str) -> NodePath:
        match = NODE_PATH.fullmatch(text or "")
        if match is None:
            raise EditError(text)
        step, field, sub = (int(g) if g is not None else None for g in match.groups())
        assert step is not None
        return cls(step, field, sub)

    def __str__(self) -> str:
        out = f"steps[{self.step}]"
        if self.field is not None:
            out += f".fields[{self.field}]"
        if self.sub is not None:
            out += f".fields[{self.sub}]"
        return out

    @property
    def is_step(self) -> bool:
        return self.field is None

    @property
    def parent(self) -> NodePath | None:
        if self.sub is not None:
            return NodePath(self.step, self.field)
        if self.field is not None:
            return NodePath(self.step)
        return None

    def with_index(self, index: int) -> NodePath:
        if self.sub is not None:
            return NodePath(self.step, self.field, index)
        if self.field is not None:
            return NodePath(self.step, index)
        return NodePath(index)

    @property
    def index(self) -> int:
        if self.sub is not None:
            return self.sub
        return self.field if self.field is not None else self.step


def node_path_of(error_path: str) -> tuple[NodePath | None, str]:
    """The step or field a parser error is about, and the rest of its path (the attribute)."""
    match = NODE_PATH.match(error_path or "")
    if match is None:
        return None, error_path
    node = NodePath.parse(match.group(0))
    return node, error_path[match.end() :].lstrip(".")


def _list_of(definition: dict[str, Any], path: NodePath) -> list[Any]:
    """The list that holds the node at `path` (steps, a step's fields or a group's fields)."""
    parent = path.parent
    if parent is None:
        steps = definition.setdefault("steps", [])
        if not isinstance(steps, list):
            raise EditError(str(path))
        return steps
    container = node(definition, parent)
    fields = container.setdefault("fields", [])
    if not isinstance(fields, list):
        raise EditError(str(path))
    return fields


def node(definition: dict[str, Any], path: NodePath) -> dict[str, Any]:
    """The step or field object at `path`; EditError if there is none."""
    items = _list_of(definition, path)
    if not 0 <= path.index < len(items) or not isinstance(items[path.index], dict):
        raise EditError(str(path))
    found: dict[str, Any] = items[path.index]
    return found


def _copy(definition: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(definition) if isinstance(definition, dict) else {}


def set_header(definition: dict[str, Any], *, title: str, title_en: str) -> dict[str, Any]:
    out = _copy(definition)
    for name, value in (("title", title), ("title_en", title_en)):
        if value:
            out[name] = value
        else:
            out.pop(name, None)
    return out


def set_fees(definition: dict[str, Any], *, fees: Any) -> dict[str, Any]:
    """Set the form's fee rule (procedures/formdef/fees.py), or remove it with None."""
    out = _copy(definition)
    if fees is None:
        out.pop("fees", None)
    else:
        out["fees"] = fees
    return out


def add_step(definition: dict[str, Any], *, key: str, title: str) -> dict[str, Any]:
    out = _copy(definition)
    steps = out.setdefault("steps", [])
    if not isinstance(steps, list):
        raise EditError("steps")
    steps.append({"key": key, "title": title, "fields": []})
    return out


def add_field(
    definition: dict[str, Any], *, parent: NodePath, key: str, type_name: str, label: str
) -> dict[str, Any]:
    """Append a new field to a step or to a group (a field that repeats)."""
    if parent.sub is not None:
        raise EditError(str(parent))
    out = _copy(definition)
    container = node(out, parent)
    if not parent.is_step and not _repeats(container):
        raise EditError(str(parent))
    fields = container.setdefault("fields", [])
    if not isinstance(fields, list):
        raise EditError(str(parent))
    new: dict[str, Any] = {"key": key, "type": type_name, "label": label}
    kind = kind_of(new)
    if kind is not None and kind.repeats:
        # A group needs one sub-field to be a valid definition: start it with a text field.
        new["fields"] = [{"key": "item_text", "type": _default_type(), "label": label}]
    fields.append(new)
    return out


def _default_type() -> str:
    """The plain one-line type for a group's first field."""
    return TextType.name


def kind_of(obj: Any) -> FieldType | None:
    """The registered type a field object declares (None for none, or an unknown one)."""
    declared = obj.get("type") if isinstance(obj, dict) else None
    try:
        return field_type(declared if isinstance(declared, str) else "")
    except KeyError:
        return None


def _repeats(obj: dict[str, Any]) -> bool:
    kind = kind_of(obj)
    return kind is not None and kind.repeats


def replace_node(
    definition: dict[str, Any], path: NodePath, values: dict[str, Any], managed: set[str]
) -> dict[str, Any]:
    """Set a node's `managed` attributes to `values` (absent = removed); keep the others."""
    out = _copy(definition)
    current = node(out, path)
    kept = {k: v for k, v in current.items() if k not in managed}
    updated = {**kept, **{k: v for k, v in values.items() if k in managed}}
    _list_of(out, path)[path.index] = _ordered(updated)
    return out


_ORDER = ("key", "type", "title", "title_en", "label", "label_en", "description", "help")


def _ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """Key and type first and `fields` last, so exported JSON reads like the hand-written one."""
    head = [k for k in _ORDER if k in obj]
    tail = [k for k in ("fields",) if k in obj]
    middle = [k for k in obj if k not in head and k not in tail]
    return {k: obj[k] for k in (*head, *middle, *tail)}


def move(definition: dict[str, Any], path: NodePath, to_index: int) -> dict[str, Any]:
    """Move a step or field to another place in the same list (up/down buttons, dragging)."""
    out = _copy(definition)
    items = _list_of(out, path)
    if not 0 <= path.index < len(items) or not 0 <= to_index < len(items):
        raise EditError(str(path))
    items.insert(to_index, items.pop(path.index))
    return out


def remove(definition: dict[str, Any], path: NodePath) -> dict[str, Any]:
    out = _copy(definition)
    items = _list_of(out, path)
    if not 0 <= path.index < len(items):
        raise EditError(str(path))
    del items[path.index]
    return out


def walk(definition: Any) -> list[tuple[NodePath, dict[str, Any]]]:
    """Every step, field and sub-field object with its path, in document order."""
    found: list[tuple[NodePath, dict[str, Any]]] = []
    steps = definition.get("steps") if isinstance(definition, dict) else None
    if not isinstance(steps, list):
        return found
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        found.append((NodePath(i), step))
        fields = step.get("fields")
        for j, f in enumerate(fields if isinstance(fields, list) else []):
            if not isinstance(f, dict):
                continue
            found.append((NodePath(i, j), f))
            subs = f.get("fields")
            for k, sub in enumerate(subs if isinstance(subs, list) else []):
                if isinstance(sub, dict):
                    found.append((NodePath(i, j, k), sub))
    return found
