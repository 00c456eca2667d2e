"""`choice`: one option (radio buttons, or a select); may be filled with the card's sex."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ..parsing import DefinitionError, read_options, read_text
from .base import FieldError, FieldType, ParseContext, card_text, register

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView

# The card's sex code (1 male, 2 female, 9 not applicable) → option values that mean it, first
# match wins. A choice filled from the card's "sex" must offer "male" and "female".
SEX_OPTION_VALUES = {
    "1": ("male", "man"),
    "2": ("female", "woman"),
    "9": ("not_applicable", "other", "unknown", "none"),
}


def options_hint(field: Field, values: tuple[Any, ...]) -> str:
    return str(
        _("「%(label)s」で「%(options)s」を選んだ場合に入力してください。")
        % {
            "label": field.label,
            "options": "」「".join(field.option_label(v) for v in values),
        }
    )


def check_option_value(field: Field, value: Any, path: str) -> None:
    if value not in {o.value for o in field.options}:
        raise DefinitionError(path, f"{value!r} is not an option of {field.key!r}")


def choices_for(view: FieldView, field: Field, chosen: set[Any]) -> None:
    from ..views import Choice

    view.choices = [
        Choice(o.value, o.label, f"{view.id}_{i}", o.value in chosen)
        for i, o in enumerate(field.options)
    ]


@register
class ChoiceType(FieldType):
    name = "choice"
    attributes = frozenset({"options", "widget"})
    drives_conditions = True
    roles = frozenset({"applicant_sex"})
    card_attributes = frozenset({"sex"})
    template = "choice"
    fieldset = True

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        attrs["options"] = read_options(field_data.get("options"), f"{path}.options")
        widget = read_text(field_data, "widget", path, required=False) or "radio"
        if widget not in ("radio", "select"):
            raise DefinitionError(f"{path}.widget", f"unknown widget {widget!r}")
        attrs["widget"] = widget
        if field_data.get("card") == "sex":
            values = {o.value for o in attrs["options"]}
            if not {"male", "female"} <= values:
                raise DefinitionError(
                    f"{path}.card", 'a choice filled from "sex" needs options "male" and "female"'
                )

    def check_condition_value(self, field: Field, value: Any, path: str) -> None:
        check_option_value(field, value, path)

    def condition_hint(self, field: Field, values: tuple[Any, ...]) -> str:
        return options_hint(field, values)

    def required_message(self, field: Field) -> str:
        return str(_("%(label)sを選んでください。") % {"label": field.label})

    def clean(self, field: Field, raw: Any, *, today: date) -> str:
        value = raw.strip() if isinstance(raw, str) else raw
        if not isinstance(value, str) or value not in {o.value for o in field.options}:
            raise FieldError.single(
                _("%(label)sは選択肢の中から選んでください。") % {"label": field.label}
            )
        return value

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
        from ..views import InputView

        choices_for(view, field, set(value) if isinstance(value, list) else {value})
        if field.widget == "select":
            view.template = "procedures/formdef/fields/select.html"
            view.fieldset = False
            view.inputs.append(
                InputView(
                    name=view.name,
                    id=view.id,
                    label=field.label,
                    value=str(value or ""),
                    kind="select",
                    choices=view.choices,
                )
            )

    def show(self, field: Field, value: Any) -> str:
        return field.option_label(str(value))

    def fill_from_card(self, field: Field, attributes: Mapping[str, Any]) -> Any:
        values = {o.value for o in field.options}
        for candidate in SEX_OPTION_VALUES.get(card_text(attributes, field.card), ()):
            if candidate in values:
                return candidate
        return None

    def cell_display(self, field: Field, value: Any, text: str) -> str:
        return field.option_label(text)
