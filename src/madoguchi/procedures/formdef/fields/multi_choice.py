"""`multi_choice`: any number of options (checkboxes), stored in option order."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ..parsing import DefinitionError, read_int, read_options, read_text
from .base import FieldError, FieldType, ParseContext, register
from .choice import check_option_value, choices_for, options_hint

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView


@register
class MultiChoiceType(FieldType):
    name = "multi_choice"
    attributes = frozenset({"options", "widget", "min_selected", "max_selected"})
    drives_conditions = True
    template = "choice"
    fieldset = True
    # The template's inputs are checkboxes (a choice's are radio buttons).
    multiple = True

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        attrs["options"] = read_options(field_data.get("options"), f"{path}.options")
        widget = read_text(field_data, "widget", path, required=False) or "checkbox"
        if widget != "checkbox":
            raise DefinitionError(f"{path}.widget", f"unknown widget {widget!r}")
        attrs["widget"] = widget
        attrs["min_selected"] = read_int(field_data, "min_selected", path, minimum=0)
        attrs["max_selected"] = read_int(field_data, "max_selected", path, minimum=1)

    def check_condition_value(self, field: Field, value: Any, path: str) -> None:
        check_option_value(field, value, path)

    def condition_hint(self, field: Field, values: tuple[Any, ...]) -> str:
        return options_hint(field, values)

    def is_empty(self, field: Field, raw: Any) -> bool:
        return raw is None or (isinstance(raw, (list, tuple)) and len(raw) == 0)

    def empty_value(self, field: Field) -> Any:
        return []

    def required_message(self, field: Field) -> str:
        return str(_("%(label)sを選んでください。") % {"label": field.label})

    def clean(self, field: Field, raw: Any, *, today: date) -> list[str]:
        chosen = [raw] if isinstance(raw, str) else raw
        if not isinstance(chosen, (list, tuple)) or not all(isinstance(v, str) for v in chosen):
            raise FieldError.single(
                _("%(label)sは選択肢の中から選んでください。") % {"label": field.label}
            )
        known = [o.value for o in field.options]
        if any(v not in known for v in chosen):
            raise FieldError.single(
                _("%(label)sは選択肢の中から選んでください。") % {"label": field.label}
            )
        value = [v for v in known if v in chosen]
        if field.min_selected is not None and len(value) < field.min_selected:
            raise FieldError.single(
                _("%(label)sは%(min)d個以上選んでください。")
                % {"label": field.label, "min": field.min_selected}
            )
        if field.max_selected is not None and len(value) > field.max_selected:
            raise FieldError.single(
                _("%(label)sは%(max)d個まで選べます。")
                % {"label": field.label, "max": field.max_selected}
            )
        return value

    def read_post(self, form: StepForm, field: Field, path: str, existing: Any) -> Any:
        from ..views import html_name

        return list(form.data.getlist(html_name(path)))

    def posted_display(self, form: StepForm, field: Field, name: str) -> Any:
        return list(form.data.getlist(name))

    def initial_display(self, field: Field, initial: Any) -> Any:
        return initial if isinstance(initial, list) else []

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
        choices_for(view, field, set(value) if isinstance(value, list) else {value})

    def show(self, field: Field, value: Any) -> str:
        if isinstance(value, list):
            return "、".join(field.option_label(str(v)) for v in value)
        return str(value)

    def cell(self, field: Field, value: Any) -> str:
        if isinstance(value, list):
            return ";".join(str(v) for v in value)
        return super().cell(field, value)

    def cell_display(self, field: Field, value: Any, text: str) -> str:
        if isinstance(value, list):
            return "、".join(field.option_label(str(v)) for v in value)
        return text
