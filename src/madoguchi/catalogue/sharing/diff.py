"""What changed between two versions of a shared procedure, in words staff can read.

Compares the procedure's attributes (name, fees, department, …) and its form field by field
(steps and fields by key, group sub-fields as `group.sub`): a field added, removed, or changed
(label, type, required, options, condition, limits). Keys are stable across versions, so a
renamed label is a change of the same field, not a removal and an addition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

# Attributes a municipality may override: an upstream change to them is shown, but the local
# value stays (see services.OVERRIDABLE).
OVERRIDABLE = ("fees", "department")

ATTRIBUTE_LABELS: dict[str, Any] = {
    "name": _("手続名"),
    "name_en": _("手続名（英語）"),
    "standard_code": _("標準手続コード"),
    "category": _("分類"),
    "summary": _("概要"),
    "description": _("説明"),
    "eligibility": _("申請できる人"),
    "what_to_bring": _("必要なもの"),
    "fees": _("手数料"),
    "department": _("担当課"),
    "online": _("オンライン申請"),
    "counter_preinput": _("窓口での事前入力"),
    "booking": _("来庁予約"),
    "standard_processing_days": _("標準処理期間（日）"),
    "search_keywords": _("検索キーワード"),
    "sort_order": _("表示順"),
}


# A field's attributes, named for people (others are shown by their key).
FIELD_ATTRIBUTE_LABELS: dict[str, Any] = {
    "label": _("項目名"),
    "label_en": _("項目名（英語）"),
    "help": _("説明"),
    "help_en": _("説明（英語）"),
    "type": _("種類"),
    "required": _("必須"),
    "required_when": _("必須になる条件"),
    "when": _("表示する条件"),
    "options": _("選択肢"),
    "print_label": _("印刷用の項目名"),
    "print_order": _("印刷の順番"),
    "min": _("最小"),
    "max": _("最大"),
    "min_length": _("最小の文字数"),
    "max_length": _("最大の文字数"),
    "card": _("マイナンバーカードから入力"),
    "role": _("役割"),
    "channels": _("表示する場面"),
}


def _attribute(key: str) -> str:
    return str(FIELD_ATTRIBUTE_LABELS.get(key, key))


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "changed"
    where: str  # what it is about, for people: 「手数料」, 「お子さんについて › 生年月日」
    before: str = ""
    after: str = ""
    overridden: bool = False  # the municipality's own value stays

    @property
    def kind_label(self) -> str:
        return str({"added": _("追加"), "removed": _("削除"), "changed": _("変更")}[self.kind])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "○" if value else "×"
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _fields(form: Mapping[str, Any] | None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every field by path (`key`, `group.sub`), with a human name (step › label)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for step in (form or {}).get("steps", []):
        for field in step.get("fields", []):
            name = f"{step.get('title', step.get('key'))} › {field.get('label', field.get('key'))}"
            out[str(field.get("key"))] = (name, field)
            for sub in field.get("fields", []) or []:
                out[f"{field.get('key')}.{sub.get('key')}"] = (
                    f"{name} › {sub.get('label', sub.get('key'))}",
                    sub,
                )
    return out


def _field_without_children(field: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in field.items() if k != "fields"}


def version_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, overridden: frozenset[str] = frozenset()
) -> list[Change]:
    """The changes from `before` to `after` (both in the import format)."""
    changes: list[Change] = []
    for key, label in ATTRIBUTE_LABELS.items():
        old, new = before.get(key), after.get(key)
        if old != new:
            changes.append(
                Change(
                    "changed",
                    str(label),
                    _text(old),
                    _text(new),
                    overridden=key in overridden,
                )
            )
    old_fields = _fields(before.get("form"))
    new_fields = _fields(after.get("form"))
    for path, (name, field) in new_fields.items():
        if path not in old_fields:
            changes.append(Change("added", name))
            continue
        old_field = _field_without_children(old_fields[path][1])
        new_field = _field_without_children(field)
        differing = sorted(
            k for k in old_field.keys() | new_field.keys() if old_field.get(k) != new_field.get(k)
        )
        if differing:
            changes.append(
                Change(
                    "changed",
                    name,
                    "；".join(f"{_attribute(k)}：{_text(old_field.get(k))}" for k in differing),
                    "；".join(f"{_attribute(k)}：{_text(new_field.get(k))}" for k in differing),
                )
            )
    for path, (name, _field) in old_fields.items():
        if path not in new_fields:
            changes.append(Change("removed", name))
    old_steps = [s.get("key") for s in (before.get("form") or {}).get("steps", [])]
    new_steps = [s.get("key") for s in (after.get("form") or {}).get("steps", [])]
    if old_steps != new_steps and set(old_steps) == set(new_steps):
        changes.append(
            Change("changed", str(_("ステップの順番")), _text(old_steps), _text(new_steps))
        )
    return changes
