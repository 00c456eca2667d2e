"""`checkbox`: one box (consent, confirmation); `required` means it must be ticked."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ..parsing import DefinitionError, read_text
from .base import FieldError, FieldType, ParseContext, register

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView

CHECKBOX_TRUE = frozenset({"on", "true", "1", "yes"})
CHECKBOX_FALSE = frozenset({"", "off", "false", "0", "no"})
# Printed forms mark a ticked box with a circle (○), as residents do on paper.
PRINT_CHECKED = "○"


@register
class CheckboxType(FieldType):
    name = "checkbox"
    attributes = frozenset({"checkbox_label", "checkbox_label_en"})
    drives_conditions = True
    template = "checkbox"
    fieldset = True

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        attrs["checkbox_label"] = read_text(field_data, "checkbox_label", path, required=False)
        # The English text took the Japanese one's place before parsing (localize.py): checked here.
        read_text(field_data, "checkbox_label_en", path, required=False)

    def check_condition_value(self, field: Field, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            raise DefinitionError(path, "compare a checkbox with true or false")

    def condition_hint(self, field: Field, values: tuple[Any, ...]) -> str:
        if values == (True,):
            return str(
                _("「%(label)s」にチェックを入れた場合に入力してください。")
                % {"label": field.checkbox_label or field.label}
            )
        return ""

    def is_empty(self, field: Field, raw: Any) -> bool:
        # The same reading as clean: whatever it would store as false is "not checked", so a
        # required checkbox sent as " " or "FALSE" is refused, not stored false.
        return (
            raw is None
            or raw is False
            or (isinstance(raw, str) and raw.strip().lower() in CHECKBOX_FALSE)
        )

    def empty_value(self, field: Field) -> Any:
        return False

    def required_message(self, field: Field) -> str:
        return str(_("%(label)sを確認して、チェックを入れてください。") % {"label": field.label})

    def clean(self, field: Field, raw: Any, *, today: date) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in CHECKBOX_TRUE | CHECKBOX_FALSE:
            return raw.strip().lower() in CHECKBOX_TRUE
        raise FieldError.single(_("%(label)sの値が正しくありません。") % {"label": field.label})

    def read_post(self, form: StepForm, field: Field, path: str, existing: Any) -> Any:
        from ..views import html_name

        # The posted text, read like an API answer ("on" when ticked).
        return form.data.get(html_name(path), "")

    def posted_display(self, form: StepForm, field: Field, name: str) -> Any:
        return str(form.data.get(name, "")).strip().lower() in CHECKBOX_TRUE

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

        view.checkbox_label = field.checkbox_label or field.label
        view.inputs.append(
            InputView(
                name=view.name,
                id=view.id,
                label=view.checkbox_label,
                kind="checkbox",
                checked=bool(value),
            )
        )

    def display(self, field: Field, value: Any) -> str:
        return str(_("はい") if value else _("いいえ"))

    def print_value(self, field: Field, value: Any) -> str:
        return PRINT_CHECKED if value is True else ""

    def cell(self, field: Field, value: Any) -> str:
        return "1" if value else "0"

    def cell_display(self, field: Field, value: Any, text: str) -> str:
        return str(_("はい") if value else _("いいえ"))
