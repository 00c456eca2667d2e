"""`notice`: text shown on the form (label as title, help as body); holds no answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import FieldType, register

if TYPE_CHECKING:
    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView


@register
class NoticeType(FieldType):
    name = "notice"
    holds_value = False
    template = "notice"

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
        """No inputs: the template shows the label and help."""

    def print_value(self, field: Field, value: Any) -> str:
        return ""
