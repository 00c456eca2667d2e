"""What a step form's templates render: plain dataclasses built by the form and the field types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definition import Field


def html_name(path: str) -> str:
    """children.0.birth_date → children__0__birth_date."""
    return path.replace(".", "__")


def html_id(path: str) -> str:
    return "id_" + html_name(path)


# --- What the template renders ----------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class InputView:
    """One <input>, <select> or <textarea>."""

    name: str
    id: str
    label: str
    value: str = ""
    kind: str = "text"  # text, email, tel, textarea, select, file, checkbox
    autocomplete: str = ""
    inputmode: str = ""
    maxlength: int | None = None
    width: str = "full"  # full, medium, short: a CSS hint (mg-input--short …)
    errors: list[str] = dataclass_field(default_factory=list)
    choices: list[Choice] = dataclass_field(default_factory=list)
    checked: bool = False
    accept: str = ""
    describedby: str = ""

    @property
    def invalid(self) -> bool:
        return bool(self.errors)

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"


@dataclass
class ItemView:
    index: int
    number: int
    title: str
    id: str
    origin_name: str
    origin: str
    fields: list[FieldView]
    remove_action: str
    can_remove: bool


@dataclass
class FieldView:
    field: Field
    path: str
    id: str
    label: str
    help: str
    required: bool
    errors: list[str]
    inputs: list[InputView]
    template: str
    fieldset: bool
    name: str = ""
    condition: str = ""  # JSON for form.js; empty when the field is always shown
    condition_hint: str = ""
    # choice / multi_choice
    choices: list[Choice] = dataclass_field(default_factory=list)
    # checkbox
    checkbox_label: str = ""
    # file
    existing_file: Mapping[str, Any] | None = None
    accept_labels: str = ""
    # postal_code
    postal_action: str = ""
    postal_targets: str = ""
    postal_message: str = ""
    # group
    items: list[ItemView] = dataclass_field(default_factory=list)
    count_name: str = ""
    count: int = 0
    add_action: str = ""
    add_label: str = ""
    can_add: bool = False
    unit: str = ""
    # A hint under the label ("例：昭和50年4月1日…"); several choices may be ticked.
    example: str = ""
    multiple: bool = False

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def invalid(self) -> bool:
        return bool(self.errors)

    @property
    def has_errors(self) -> bool:
        """Errors on the field or on any of its inputs (for the field's error styling)."""
        return bool(self.errors) or any(i.errors for i in self.inputs)

    @property
    def describedby(self) -> str:
        ids = []
        if self.help or self.condition_hint:
            ids.append(self.help_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)
