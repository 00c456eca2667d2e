"""`group`: a repeating set of sub-fields (お子さん 1人目, 2人目 …); the answer is a list of objects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ..parsing import MAX_GROUP_ITEMS, DefinitionError, as_list, read_int, read_text
from .base import Errors, FieldType, ParseContext, register

if TYPE_CHECKING:
    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView


def item_title(group: Field, index: int) -> str:
    if group.item_label and "{n}" in group.item_label:
        return group.item_label.replace("{n}", str(index + 1))
    return str(
        _("%(label)s（%(n)d件目）") % {"label": group.item_label or group.label, "n": index + 1}
    )


@register
class GroupType(FieldType):
    name = "group"
    attributes = frozenset(
        {
            "fields",
            "min_items",
            "max_items",
            "item_label",
            "item_label_en",
            "add_label",
            "add_label_en",
        }
    )
    repeats = True
    template = "group"
    fieldset = True

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        from ..definition import check_scope

        if ctx.in_group:
            raise DefinitionError(f"{path}.type", "a group cannot contain another group")
        attrs["min_items"] = (
            read_int(field_data, "min_items", path, minimum=0, maximum=MAX_GROUP_ITEMS) or 0
        )
        max_items = read_int(field_data, "max_items", path, minimum=1, maximum=MAX_GROUP_ITEMS)
        attrs["max_items"] = max_items if max_items is not None else 10
        if attrs["min_items"] > attrs["max_items"]:
            raise DefinitionError(f"{path}.min_items", "min_items is greater than max_items")
        attrs["item_label"] = read_text(field_data, "item_label", path, required=False)
        attrs["add_label"] = read_text(field_data, "add_label", path, required=False)
        # The English texts took the Japanese ones' place before parsing (localize.py): checked here.
        read_text(field_data, "item_label_en", path, required=False)
        read_text(field_data, "add_label_en", path, required=False)
        raw_subfields = as_list(field_data.get("fields"), f"{path}.fields")
        if not raw_subfields:
            raise DefinitionError(f"{path}.fields", "a group needs at least one field")
        subs: dict[str, Field] = {}
        for k, raw_sub in enumerate(raw_subfields):
            spath = f"{path}.fields[{k}]"
            sub = ctx.parse_field(raw_sub, spath, subs)
            if sub.key in subs:
                raise DefinitionError(f"{spath}.key", f"duplicate field key {sub.key!r}")
            subs[sub.key] = sub
        check_scope(list(subs.values()), path, subs)
        attrs["fields"] = tuple(subs.values())

    def is_empty(self, field: Field, raw: Any) -> bool:
        return raw is None or (isinstance(raw, (list, tuple)) and len(raw) == 0)

    def validate(
        self,
        field: Field,
        raw: Any,
        *,
        lookup: Mapping[str, Any],
        path: str,
        today: date,
        channel: str,
    ) -> tuple[Any, Errors]:
        """Each item's sub-fields, validated with the form's answers as their context."""
        from ..conditions import field_is_required
        from ..validation import validate_fields

        if raw is None:
            raw = []
        if not isinstance(raw, (list, tuple)) or not all(isinstance(i, Mapping) for i in raw):
            return [], {
                path: [str(_("%(label)sの形式が正しくありません。") % {"label": field.label})]
            }
        errors: Errors = {}
        if len(raw) > field.max_items:
            errors[path] = [
                str(
                    _("%(label)sは%(max)d件までです。")
                    % {"label": field.label, "max": field.max_items}
                )
            ]
            raw = raw[: field.max_items]
        minimum = max(field.min_items, 1 if field_is_required(field, lookup) else 0)
        if len(raw) < minimum:
            errors[path] = [
                str(
                    _("%(label)sを%(min)d件以上入力してください。")
                    % {"label": field.label, "min": minimum}
                )
                if minimum > 1
                else self.required_message(field)
            ]
        items: list[dict[str, Any]] = []
        for i, item in enumerate(raw):
            result = validate_fields(
                field.fields,
                item,
                context=lookup,
                prefix=f"{path}.{i}.",
                today=today,
                channel=channel,
            )
            items.append(result.values)
            errors.update(result.errors)
        return items, errors

    def read_post(self, form: StepForm, field: Field, path: str, existing: Any) -> Any:
        return form.read_items(field, path)

    def render(
        self,
        form: StepForm,
        view: FieldView,
        field: Field,
        path: str,
        value: Any,
        errors: dict[str, list[str]],
        autocomplete: str,
    ) -> None:
        form.render_items(view, field, path, errors)

    def initial_display(self, field: Field, initial: Any) -> Any:
        return initial if isinstance(initial, list) else []

    def step_answer(self, form: StepForm, field: Field, path: str, value: Any) -> Any:
        return form.item_answers(field, path, value)

    def show(self, field: Field, value: Any) -> str:
        count = len(value) if isinstance(value, list) else 0
        return str(_("%(count)d件") % {"count": count})
