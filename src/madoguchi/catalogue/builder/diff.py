"""A readable difference between two form definitions: steps and fields added, removed, moved
or changed (with each changed attribute's old and new value).

Steps are matched by key, fields by key too (a top-level key is unique in a form; a group's
sub-field by group and key), so renaming a label reads as a change, not as remove + add.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"


@dataclass(frozen=True)
class AttributeChange:
    name: str
    old: str
    new: str


@dataclass
class Change:
    kind: str  # added, removed, changed, moved
    what: str  # "form" (its title), "step" or "field"
    key: str
    label: str
    where: str = ""  # the step (or group) it is in
    attributes: list[AttributeChange] = field(default_factory=list)

    @property
    def summary(self) -> str:
        names = {
            ("step", ADDED): _("ページ「%(label)s」（%(key)s）を追加"),
            ("step", REMOVED): _("ページ「%(label)s」（%(key)s）を削除"),
            ("step", CHANGED): _("ページ「%(label)s」（%(key)s）を変更"),
            ("step", MOVED): _("ページ「%(label)s」（%(key)s）の順番を変更"),
            ("field", ADDED): _("項目「%(label)s」（%(key)s）を追加"),
            ("field", REMOVED): _("項目「%(label)s」（%(key)s）を削除"),
            ("field", CHANGED): _("項目「%(label)s」（%(key)s）を変更"),
            ("field", MOVED): _("項目「%(label)s」（%(key)s）の場所を変更"),
            ("form", CHANGED): _("様式の題名を変更"),
        }
        return names[(self.what, self.kind)] % {"label": self.label, "key": self.key}


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _attribute_changes(old: dict[str, Any], new: dict[str, Any]) -> list[AttributeChange]:
    names = [n for n in dict.fromkeys([*old, *new]) if n not in ("fields", "key")]
    return [
        AttributeChange(n, _show(old.get(n)), _show(new.get(n)))
        for n in names
        if old.get(n) != new.get(n)
    ]


def _steps(definition: Any) -> list[dict[str, Any]]:
    steps = definition.get("steps") if isinstance(definition, dict) else None
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def _fields(obj: dict[str, Any]) -> list[dict[str, Any]]:
    fields = obj.get("fields")
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def _index(definition: Any) -> dict[str, tuple[str, int, dict[str, Any]]]:
    """field id (key, or group/key) -> (where, position, object)."""
    found: dict[str, tuple[str, int, dict[str, Any]]] = {}
    for step in _steps(definition):
        for position, f in enumerate(_fields(step)):
            key = str(f.get("key", ""))
            found[key] = (str(step.get("key", "")), position, f)
            for sub_position, sub in enumerate(_fields(f)):
                found[f"{key}/{sub.get('key', '')}"] = (key, sub_position, sub)
    return found


def _ranks(
    index: dict[str, tuple[str, int, dict[str, Any]]],
    other: dict[str, tuple[str, int, dict[str, Any]]],
) -> dict[str, int]:
    """Each field's place among the fields its container shares with the other version, so an
    insertion above a field does not read as moving it."""
    ranks: dict[str, int] = {}
    counters: dict[str, int] = {}
    for fid, (where, _position, _f) in sorted(index.items(), key=lambda kv: kv[1][:2]):
        if fid in other and other[fid][0] == where:
            ranks[fid] = counters.get(where, 0)
            counters[where] = ranks[fid] + 1
    return {fid: ranks.get(fid, -1) for fid in index}


def _get(definition: Any, name: str) -> Any:
    return definition.get(name) if isinstance(definition, dict) else None


def definition_diff(old: Any, new: Any) -> list[Change]:
    """The changes that turn `old` into `new`, steps first, in the new form's order."""
    changes: list[Change] = []
    old_steps = {str(s.get("key", "")): (i, s) for i, s in enumerate(_steps(old))}
    new_steps = {str(s.get("key", "")): (i, s) for i, s in enumerate(_steps(new))}
    old_order = [k for k in old_steps if k in new_steps]
    new_order = [k for k in new_steps if k in old_steps]
    for key, (_i, step) in new_steps.items():
        label = str(step.get("title", ""))
        if key not in old_steps:
            changes.append(Change(ADDED, "step", key, label))
            continue
        attributes = _attribute_changes(old_steps[key][1], step)
        if attributes:
            changes.append(Change(CHANGED, "step", key, label, attributes=attributes))
        if old_order.index(key) != new_order.index(key):
            changes.append(Change(MOVED, "step", key, label))
    for key, (_i, step) in old_steps.items():
        if key not in new_steps:
            changes.append(Change(REMOVED, "step", key, str(step.get("title", ""))))
    old_fields, new_fields = _index(old), _index(new)
    old_rank = _ranks(old_fields, new_fields)
    new_rank = _ranks(new_fields, old_fields)
    for fid, (where, _position, f) in new_fields.items():
        label = str(f.get("label", ""))
        key = fid.rsplit("/", 1)[-1]
        if fid not in old_fields:
            changes.append(Change(ADDED, "field", key, label, where))
            continue
        old_where, _old_position, old_f = old_fields[fid]
        attributes = _attribute_changes(old_f, f)
        if attributes:
            changes.append(Change(CHANGED, "field", key, label, where, attributes))
        if old_where != where or old_rank[fid] != new_rank[fid]:
            changes.append(Change(MOVED, "field", key, label, where))
    for fid, (where, _position, f) in old_fields.items():
        if fid not in new_fields:
            changes.append(
                Change(REMOVED, "field", fid.rsplit("/", 1)[-1], str(f.get("label", "")), where)
            )
    header = [
        AttributeChange(name, _show(_get(old, name)), _show(_get(new, name)))
        for name in ("title", "title_en")
        if _get(old, name) != _get(new, name)
    ]
    if header:
        changes.insert(0, Change(CHANGED, "form", "", "", attributes=header))
    return changes
