"""`postal_code`: seven digits; `fills` names an address field the postal lookup fills."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from madoguchi.core.postal import format_postal_code, normalize_postal_code

from ..parsing import DefinitionError, read_text
from .base import FieldError, FieldType, ParseContext, messages_of, register, text_input

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView, InputView


def postal_display(code: str) -> str:
    return f"〒{format_postal_code(code)}" if len(code) == 7 else code


@register
class PostalCodeType(FieldType):
    name = "postal_code"
    attributes = frozenset({"fills"})
    roles = frozenset({"applicant_postal_code"})
    autocomplete = "postal-code"

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        attrs["fills"] = read_text(field_data, "fills", path, required=False)

    def check_scope(self, field: Field, index: int, scope: Mapping[str, Field], path: str) -> None:
        if not field.fills:
            return
        target = scope.get(field.fills)
        if target is None or target.type != "address":
            raise DefinitionError(
                f"{path}.fields[{index}].fills",
                f"{field.fills!r} is not an address field in the same step or group",
            )

    def clean(self, field: Field, raw: Any, *, today: date) -> str:
        try:
            return normalize_postal_code(text_input(raw))
        except ValidationError as exc:
            raise FieldError({"": messages_of(exc)}) from None

    def initial_display(self, field: Field, initial: Any) -> Any:
        if isinstance(initial, str) and len(initial) == 7:
            return format_postal_code(initial)
        return super().initial_display(field, initial)

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
        super().render(form, view, field, path, value, errors, autocomplete)
        if field.fills:
            form.attach_postal_lookup(view, field, path)

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        view.inputmode = "numeric"
        view.width = "short"
        view.maxlength = 10

    def show(self, field: Field, value: Any) -> str:
        if isinstance(value, str) and len(value) == 7:
            return f"〒{format_postal_code(value)}"
        return str(value)
