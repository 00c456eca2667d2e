"""Forms that edit one step or one field of a definition, built from the field-type registry.

A field's form has the attributes every field has (key, texts, required, conditions, role,
channels, print label …) and those its type declares (`FieldType.attributes`), each with an input
chosen by attribute name below. An attribute no input knows (a type added later) is edited as
JSON, so every registered type can be edited without touching this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.formdef.definition import (
    CARD_ATTRIBUTES,
    CHANNELS,
    FILE_KINDS,
    NAME_KANA_MODES,
    TEXT_FORMATS,
)
from madoguchi.procedures.formdef.fields import FieldType, registered

from .editing import kind_of

KEY_HELP = _("英小文字・数字・_ で。例：child_name（公開後は変えないでください）")
CONDITION_OPS = [
    ("equals", _("が次の値のとき")),
    ("not_equals", _("が次の値でないとき")),
    ("in", _("が次のどれかのとき（, 区切り）")),
    ("not_in", _("が次のどれでもないとき（, 区切り）")),
    ("filled", _("に入力があるとき（true）／ないとき（false）")),
]
CHANNEL_LABELS = {
    "online": _("オンライン"),
    "counter": _("窓口"),
    "staff": _("職員入力"),
    "print": _("印刷"),
}
TYPE_LABELS = {
    "text": _("1行の文字"),
    "long_text": _("複数行の文字"),
    "number": _("数"),
    "date": _("日付"),
    "email": _("メールアドレス"),
    "phone": _("電話番号"),
    "postal_code": _("郵便番号"),
    "address": _("住所"),
    "name": _("氏名"),
    "choice": _("1つ選ぶ"),
    "multi_choice": _("いくつでも選ぶ"),
    "checkbox": _("チェックボックス"),
    "file": _("添付ファイル"),
    "group": _("くり返し（グループ）"),
    "notice": _("お知らせ（入力なし）"),
}


def type_label(name: str) -> str:
    """A type's Japanese name (the registry name itself for a type added later)."""
    label = TYPE_LABELS.get(name)
    return f"{label}（{name}）" if label else name


def type_choices() -> list[tuple[str, str]]:
    return [(name, type_label(name)) for name in sorted(registered())]


def _text(label: Any, *, long: bool = False, help_text: Any = "") -> forms.Field:
    widget = forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput()
    return forms.CharField(
        label=label, required=False, widget=widget, help_text=help_text, strip=True
    )


def _int(label: Any) -> forms.Field:
    return forms.IntegerField(label=label, required=False)


def _choice(label: Any, values: Iterable[str]) -> forms.Field:
    choices = [("", _("（指定しない）"))] + [(v, v) for v in sorted(values) if v]
    return forms.ChoiceField(label=label, required=False, choices=choices)


def _multi(label: Any, values: Iterable[tuple[str, Any]]) -> forms.Field:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=list(values), widget=forms.CheckboxSelectMultiple
    )


@dataclass(frozen=True)
class AttributeInput:
    """How one definition attribute is edited: its form field, and JSON ↔ form value."""

    make: Callable[[FieldType], forms.Field]
    to_form: Callable[[Any], Any] = lambda v: v
    to_json: Callable[[Any], Any] = lambda v: v


def _bound(value: Any) -> Any:
    """A `min`/`max` typed into a text box: an integer (numbers) or a date bound (text)."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    return value


def _options_to_form(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    lines = []
    for option in value:
        if isinstance(option, dict):
            parts = [str(option.get(k, "")) for k in ("value", "label", "label_en")]
            lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


def _options_to_json(text: Any) -> Any:
    options = []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        option = {"value": parts[0], "label": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            option["label_en"] = parts[2]
        options.append(option)
    return options or None


COMMON_INPUTS: dict[str, AttributeInput] = {
    "label": AttributeInput(lambda k: _text(_("項目名"))),
    "label_en": AttributeInput(lambda k: _text(_("項目名（英語）"))),
    "help": AttributeInput(lambda k: _text(_("説明"), long=True)),
    "help_en": AttributeInput(lambda k: _text(_("説明（英語）"), long=True)),
    "required": AttributeInput(
        lambda k: forms.BooleanField(label=_("必ず入力する"), required=False),
        to_json=lambda v: True if v else None,
    ),
    "role": AttributeInput(
        lambda k: _choice(_("役割（申請者の氏名など、他の機能が使う）"), k.roles)
    ),
    "card": AttributeInput(
        lambda k: _choice(
            _("マイナンバーカードから入れる情報"), k.card_attributes & CARD_ATTRIBUTES
        )
    ),
    "autocomplete": AttributeInput(lambda k: _text(_("自動入力の種類（autocomplete）"))),
    "channels": AttributeInput(
        lambda k: _multi(_("使う場面"), [(c, CHANNEL_LABELS.get(c, c)) for c in sorted(CHANNELS)]),
        to_form=lambda v: list(v) if isinstance(v, list) else sorted(CHANNELS),
        to_json=lambda v: None if set(v or ()) == set(CHANNELS) else sorted(v or ()),
    ),
    "print_label": AttributeInput(lambda k: _text(_("印刷する様式での項目名"))),
    "print_order": AttributeInput(lambda k: _int(_("印刷する様式での順番"))),
}

TYPE_INPUTS: dict[str, AttributeInput] = {
    "options": AttributeInput(
        lambda k: _text(
            _("選択肢"),
            long=True,
            help_text=_("1行に1つ。「値 | 表示 | 英語の表示」の形で。例：yes | はい | Yes"),
        ),
        to_form=_options_to_form,
        to_json=_options_to_json,
    ),
    "widget": AttributeInput(lambda k: _choice(_("表示のしかた"), {"radio", "select"})),
    "min_selected": AttributeInput(lambda k: _int(_("選ぶ数の下限"))),
    "max_selected": AttributeInput(lambda k: _int(_("選ぶ数の上限"))),
    "checkbox_label": AttributeInput(lambda k: _text(_("チェックボックスの横の文"))),
    "checkbox_label_en": AttributeInput(lambda k: _text(_("チェックボックスの横の文（英語）"))),
    "min": AttributeInput(
        lambda k: _text(_("下限"), help_text=_("数、または日付（2025-04-01、today、today-18y）")),
        to_json=_bound,
    ),
    "max": AttributeInput(
        lambda k: _text(_("上限"), help_text=_("数、または日付（2025-04-01、today、today+30d）")),
        to_json=_bound,
    ),
    "unit": AttributeInput(lambda k: _text(_("単位（例：人、円）"))),
    "unit_en": AttributeInput(lambda k: _text(_("単位（英語）（例：people）"))),
    "min_length": AttributeInput(lambda k: _int(_("文字数の下限"))),
    "max_length": AttributeInput(lambda k: _int(_("文字数の上限"))),
    "format": AttributeInput(lambda k: _choice(_("文字の種類"), TEXT_FORMATS)),
    "kana": AttributeInput(lambda k: _choice(_("フリガナ"), NAME_KANA_MODES)),
    "fills": AttributeInput(lambda k: _text(_("住所を自動で入れる項目の識別名"))),
    "accept": AttributeInput(
        lambda k: _multi(_("添付できるファイルの種類"), [(v, v) for v in sorted(FILE_KINDS)]),
        to_form=lambda v: list(v) if isinstance(v, list) else ["jpeg", "pdf", "png"],
        to_json=lambda v: sorted(v) if v else None,
    ),
    "max_bytes": AttributeInput(lambda k: _int(_("ファイルの大きさの上限（バイト）"))),
    "min_items": AttributeInput(lambda k: _int(_("くり返しの最小数"))),
    "max_items": AttributeInput(lambda k: _int(_("くり返しの最大数"))),
    "item_label": AttributeInput(lambda k: _text(_("1件ごとの見出し（例：{n}人目のお子さん）"))),
    "item_label_en": AttributeInput(lambda k: _text(_("1件ごとの見出し（英語）（例：Child {n}）"))),
    "add_label": AttributeInput(lambda k: _text(_("追加ボタンの文（例：お子さんを追加する）"))),
    "add_label_en": AttributeInput(lambda k: _text(_("追加ボタンの文（英語）（例：Add a child）"))),
}

# A step's texts (its key, `when` and fields are edited by the form and the outline).
STEP_TEXTS = {
    "title": _("見出し"),
    "title_en": _("見出し（英語）"),
    "description": _("説明"),
    "description_en": _("説明（英語）"),
    "description_easy": _("説明（やさしい日本語）"),
}

# Attributes edited elsewhere (the outline edits a group's sub-fields).
NOT_IN_FORM = frozenset({"fields"})
CONDITIONS = ("when", "required_when")
CONDITION_LABELS = {"when": _("表示する条件"), "required_when": _("必須になる条件")}


def _step_text(label: Any, long: bool) -> Callable[[FieldType], forms.Field]:
    return lambda kind: _text(label, long=long)


def _json_input(name: str) -> AttributeInput:
    """An attribute of a type added later, which no input here knows: edited as JSON."""
    return AttributeInput(
        lambda kind: _text(f"{name}（JSON）", long=True, help_text=_("JSON で書いてください")),
        to_form=lambda v: "" if v is None else json.dumps(v, ensure_ascii=False),
        to_json=_json_or_text,
    )


class NodeForm(forms.Form):
    """Edits one step or one field; `values()` gives its attributes as JSON."""

    key = forms.CharField(label=_("識別名"), max_length=50, help_text=KEY_HELP)

    def __init__(
        self,
        *args: Any,
        node: dict[str, Any],
        is_step: bool,
        controllers: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.node = node
        self.is_step = is_step
        self.inputs: dict[str, AttributeInput] = {}
        self.complex_conditions: set[str] = set()
        initial: dict[str, Any] = {"key": node.get("key", "")}
        if is_step:
            for name, label in STEP_TEXTS.items():
                self.inputs[name] = AttributeInput(_step_text(label, name.startswith("desc")))
            kind: FieldType | None = None
            conditions: tuple[str, ...] = ("when",)
        else:
            kind = kind_of({"type": self.data.get("type") or node.get("type")})
            self.fields["type"] = forms.ChoiceField(label=_("種類"), choices=type_choices())
            initial["type"] = node.get("type", "")
            self.inputs.update(COMMON_INPUTS)
            for name in sorted(kind.attributes if kind else ()):
                if name in NOT_IN_FORM:
                    continue
                self.inputs[name] = TYPE_INPUTS.get(name) or _json_input(name)
            conditions = CONDITIONS if (kind is None or kind.holds_value) else ("when",)
        probe = kind or FieldType()
        for name, spec in self.inputs.items():
            self.fields[name] = spec.make(probe)
            if name in node:
                initial[name] = spec.to_form(node[name])
            elif name == "channels" or name == "accept":
                initial[name] = spec.to_form(None)
        for name in conditions:
            self._condition_inputs(name, node.get(name), controllers, initial)
        self.conditions = conditions
        self.initial = {**initial, **self.initial}

    def _condition_inputs(
        self, name: str, value: Any, controllers: list[tuple[str, str]], initial: dict[str, Any]
    ) -> None:
        label = CONDITION_LABELS[name]
        simple = value is None or (isinstance(value, dict) and "field" in value)
        if not simple:
            self.complex_conditions.add(name)
            self.fields[f"{name}__json"] = _text(
                f"{label}（JSON）", long=True, help_text=_("all / any を使う条件は JSON で")
            )
            initial[f"{name}__json"] = json.dumps(value, ensure_ascii=False)
            return
        self.fields[f"{name}__field"] = forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", _("（条件なし）")), *controllers],
        )
        self.fields[f"{name}__op"] = forms.ChoiceField(
            label=_("比べ方"), required=False, choices=CONDITION_OPS
        )
        self.fields[f"{name}__value"] = _text(_("値"))
        if isinstance(value, dict):
            op = next((o for o, _label in CONDITION_OPS if o in value), "equals")
            raw = value.get(op)
            shown = ", ".join(str(v) for v in raw) if isinstance(raw, list) else raw
            if isinstance(shown, bool):
                shown = "true" if shown else "false"
            initial[f"{name}__field"] = value.get("field", "")
            initial[f"{name}__op"] = op
            initial[f"{name}__value"] = "" if shown is None else str(shown)

    def managed(self) -> set[str]:
        """The attributes `values()` decides (set or removed); the node keeps all others."""
        names = {"key", *self.inputs, *self.conditions}
        if self.is_step:
            return names
        kind = kind_of({"type": self.cleaned_data.get("type")})
        allowed = set(COMMON_INPUTS) | set(CONDITIONS) | set(kind.attributes if kind else ())
        # A type change drops the old type's own attributes (the parser would refuse them).
        names |= {k for k in self.node if k not in allowed}
        return names | {"type"}

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {"key": data["key"]}
        if not self.is_step:
            out["type"] = data["type"]
        for name, spec in self.inputs.items():
            value = spec.to_json(data.get(name))
            if value not in (None, "", []):
                out[name] = value
        for name in self.conditions:
            condition = self._condition_value(name)
            if condition is not None:
                out[name] = condition
        return out

    def _condition_value(self, name: str) -> Any:
        data = self.cleaned_data
        if name in self.complex_conditions:
            return _json_or_text(data.get(f"{name}__json"))
        controller = data.get(f"{name}__field")
        if not controller:
            return None
        op = data.get(f"{name}__op") or "equals"
        raw = str(data.get(f"{name}__value") or "")
        if op in ("in", "not_in"):
            return {"field": controller, op: [_scalar(v) for v in raw.split(",") if v.strip()]}
        return {"field": controller, op: _scalar(raw)}


def _scalar(text: str) -> Any:
    """A condition value typed as text: true/false, an integer, or the text (an option value)."""
    value = text.strip()
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return value


def _json_or_text(text: Any) -> Any:
    if text in (None, ""):
        return None
    if "\\u0000" in str(text):
        return str(text)  # a NUL would not fit in jsonb; the parser refuses the text instead
    try:
        return json.loads(str(text))
    except ValueError:
        return text


def error_attribute(rest: str) -> str:
    """The form input a parser error's remaining path is about (`options[1].value` → options)."""
    first = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else ""
    return first


def definition_error_target(form: NodeForm, rest: str) -> str:
    """The input a parser error is shown beside ("" when none fits: above the form)."""
    name = error_attribute(rest)
    for target in (name, f"{name}__field", f"{name}__json"):
        if target and target in form.fields:
            return target
    return ""
