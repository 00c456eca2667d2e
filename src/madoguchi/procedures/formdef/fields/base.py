"""The field-type protocol: one subclass per type owns everything that differs between types.

A field type is a stateless object registered under its name (the definition's `"type"`). The
engine (definition parsing, validation, step forms, summaries, the hand-off layout, printing and
card filling) never asks which type a field is: it calls `field.kind.<duty>(field, …)`. The
defaults here fit a single-line text input holding a string; each type overrides what differs.
Adding a type is one new module in this package that defines a subclass and decorates it with
`@register`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.japanese_text import normalize_input, strip_invisible

from ..conditions import field_is_required
from ..parsing import DefinitionError

if TYPE_CHECKING:
    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView, InputView

# Anything longer than this is refused before any work is done on it.
RAW_TEXT_LIMIT = 20000

Errors = dict[str, list[str]]


class FieldError(Exception):
    """Messages for one field, keyed by part ("" for the field as a whole)."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {part: list(messages) for part, messages in errors.items()}
        super().__init__(self.errors)

    @classmethod
    def single(cls, message: Any, part: str = "") -> FieldError:
        return cls({part: [str(message)]})


@dataclass(frozen=True)
class PendingUpload:
    """A new upload that passed the checks; the journey stores it and records a reference."""

    name: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ColumnPart:
    """One column a field spreads over in the hand-off layout ("" part: the whole value)."""

    part: str = ""
    label: str = ""


@dataclass
class ParseContext:
    """What a type's `parse` may need from the parser beyond its own attributes."""

    in_group: bool
    # Parses a sub-field (groups): (raw, path, siblings so far) -> Field.
    parse_field: Callable[[Any, str, dict[str, Field]], Field]


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def text_input(raw: Any, *, multiline: bool = False) -> str:
    """A person's typed text, normalised (全角/半角, invisible characters); FieldError if not text."""
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise FieldError.single(_("入力の形式が正しくありません。文字で入力してください。"))
    text = str(raw)
    if len(text) > RAW_TEXT_LIMIT:
        raise FieldError.single(_("入力が長すぎます。内容を短くしてください。"))
    if not multiline:
        return normalize_input(text)
    lines = [normalize_input(line) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        # What normalize_input would reduce to "": only spaces and invisible characters.
        return not strip_invisible(value[:RAW_TEXT_LIMIT]).split()
    return False


_CARD_SPACE = re.compile(r"[\s\u3000]+")


def card_text(attributes: Mapping[str, Any], name: str) -> str:
    """A card attribute as clean text ("" when missing)."""
    value = attributes.get(name)
    if not isinstance(value, str):
        return ""
    return unicodedata.normalize("NFC", value).strip()


def split_card_words(text: str) -> list[str]:
    return [w for w in _CARD_SPACE.split(text) if w]


class FieldType:
    """Default behaviour: a one-line text input whose answer is a string."""

    name: ClassVar[str] = ""
    # Type-specific attributes a definition may give (on top of the common ones).
    attributes: ClassVar[frozenset[str]] = frozenset()
    # False for display-only types (no answer, never required).
    holds_value: ClassVar[bool] = True
    # May a condition refer to a field of this type?
    drives_conditions: ClassVar[bool] = False
    # Semantic roles (definition.ROLES) a field of this type may carry.
    roles: ClassVar[frozenset[str]] = frozenset()
    # Card attributes (`"card": …`: name, address, birth_date, sex) this type can be filled from.
    card_attributes: ClassVar[frozenset[str]] = frozenset()
    # A pre-input QR code can carry the answer (an uploaded file cannot: the resident brings it).
    travels_in_preinput: ClassVar[bool] = True
    # A repeating group of sub-fields: the engine recurses into its items.
    repeats: ClassVar[bool] = False
    # Several inputs, each with its own errors (氏名 → 姓・名・セイ・メイ).
    compound: ClassVar[bool] = False
    # Step-form rendering: template name under procedures/formdef/fields/, and whether the
    # inputs sit in a fieldset with a legend.
    template: ClassVar[str] = "input"
    # Channels the type stays out of unless a field names them in its `channels`.
    channels_not_by_default: ClassVar[frozenset[str]] = frozenset()
    fieldset: ClassVar[bool] = False
    # The WHATWG autocomplete token when the definition gives none.
    autocomplete: ClassVar[str] = ""
    # The answer is a file the resident uploads (stored by the journey, kept as a reference).
    uploads: ClassVar[bool] = False
    # Its answer is a count (a whole number of things): a fee line may multiply by it.
    counts: ClassVar[bool] = False
    # Choices are checkboxes (several may be ticked), not radio buttons.
    multiple: ClassVar[bool] = False
    # A hint under the label of a step form ("例：…"), or "".
    example: ClassVar[Any] = ""

    # -- The definition --

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        """Read this type's own attributes from the definition into `attrs` (Field keyword args)."""

    def check_scope(self, field: Field, index: int, scope: Mapping[str, Field], path: str) -> None:
        """Checks against the other fields of the same step or group item (after parsing)."""

    def check_condition_value(self, field: Field, value: Any, path: str) -> None:
        """A value a condition compares this field's answer with; DefinitionError if it cannot be."""
        if not isinstance(value, str):
            raise DefinitionError(path, "compare a text field with a string")

    def condition_hint(self, field: Field, values: tuple[Any, ...]) -> str:
        """The sentence for readers without JavaScript when a condition is "equals"/"in" these."""
        return ""

    # -- Answers --

    def is_empty(self, field: Field, raw: Any) -> bool:
        """True if nothing was given for the field (before any validation)."""
        return raw is None or blank(raw)

    def empty_value(self, field: Field) -> Any:
        """The answer of a shown but unanswered optional field."""
        return None

    def required_message(self, field: Field) -> str:
        return str(_("%(label)sを入力してください。") % {"label": field.label})

    def clean(self, field: Field, raw: Any, *, today: date) -> Any:
        """Normalise one non-empty answer; raise FieldError."""
        return text_input(raw)

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
        """Normalise one visible field; (value or None, errors keyed by path)."""
        if self.is_empty(field, raw):
            if field_is_required(field, lookup):
                return self.empty_value(field), {path: [self.required_message(field)]}
            return self.empty_value(field), {}
        try:
            return self.clean(field, raw, today=today), {}
        except FieldError as exc:
            return None, {
                (f"{path}.{part}" if part else path): messages
                for part, messages in exc.errors.items()
            }

    # -- Step forms (HTML) --

    def read_post(self, form: StepForm, field: Field, path: str, existing: Any) -> Any:
        """The posted inputs of this field as a raw answer (the JSON shape)."""
        from ..views import html_name

        return form.data.get(html_name(path), "")

    def posted_display(self, form: StepForm, field: Field, name: str) -> Any:
        """What the inputs show again after a POST: what was typed."""
        return str(form.data.get(name, ""))

    def initial_display(self, field: Field, initial: Any) -> Any:
        """What the inputs show for a stored answer."""
        return "" if initial is None else initial

    def render(
        self,
        form: StepForm,
        view: FieldView,
        field: Field,
        path: str,
        value: Any,
        errors: Errors,
        autocomplete: str,
    ) -> None:
        """Fill `view` (its inputs, choices …) for the template."""
        from ..views import InputView

        input_view = InputView(
            name=view.name,
            id=view.id,
            label=field.label,
            value=str(value or ""),
            autocomplete=autocomplete,
        )
        self.shape_input(field, input_view, autocomplete)
        view.inputs.append(input_view)

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        """Kind, width, inputmode and maxlength of the single input."""

    def step_answer(self, form: StepForm, field: Field, path: str, value: Any) -> Any:
        """The answer `step_answers()` stores for a validated value."""
        return value

    # -- Reading answers --

    def display(self, field: Field, value: Any) -> str:
        """One answer as people read it (check page, staff detail)."""
        if value in (None, "", [], {}):
            return str(_("（未入力）"))
        return self.show(field, value)

    def show(self, field: Field, value: Any) -> str:
        return str(value)

    def print_value(self, field: Field, value: Any) -> str:
        """The text written on a printed official form ("" leaves the box blank)."""
        if value in (None, "", [], {}):
            return ""
        return self.show(field, value)

    def fill_from_card(self, field: Field, attributes: Mapping[str, Any]) -> Any:
        """The raw answer for `field.card` from the card's attributes, or None."""
        return None

    # -- Hand-off layout --

    def column_parts(self, field: Field) -> list[ColumnPart]:
        return [ColumnPart()]

    def cell(self, field: Field, value: Any) -> str:
        """The machine value of a non-None answer (or part): codes, ISO dates, "" if unfit."""
        if isinstance(value, (dict, list)):
            return ""
        return str(value)

    def cell_display(self, field: Field, value: Any, text: str) -> str:
        """What a person transcribing reads, given `cell()`'s `text` (non-empty)."""
        return text


_REGISTRY: dict[str, FieldType] = {}


class CompoundType(FieldType):
    """A field answered in named parts (a name's family/given…, an address's prefecture/city…):
    one input per part, read and shown back part by part."""

    compound = True
    fieldset = True
    # Every part an answer may hold (emptiness looks at all of them).
    all_parts: ClassVar[tuple[str, ...]] = ()

    def parts(self, field: Field) -> tuple[str, ...]:
        """The parts this field asks for (a name without kana asks for fewer)."""
        return self.all_parts

    def is_empty(self, field: Field, raw: Any) -> bool:
        if raw is None:
            return True
        if not isinstance(raw, Mapping):
            return False
        return all(blank(raw.get(p)) for p in self.all_parts)

    def read_post(self, form: StepForm, field: Field, path: str, existing: Any) -> Any:
        from ..views import html_name

        name = html_name(path)
        return {p: form.data.get(f"{name}__{p}", "") for p in self.parts(field)}

    def posted_display(self, form: StepForm, field: Field, name: str) -> Any:
        return {p: str(form.data.get(f"{name}__{p}", "")) for p in self.parts(field)}

    def initial_display(self, field: Field, initial: Any) -> Any:
        return {k: str(v) for k, v in initial.items()} if isinstance(initial, Mapping) else {}


_T = TypeVar("_T", bound=type[FieldType])


def register(cls: _T) -> _T:
    """Class decorator: make `cls` the type named `cls.name`."""
    if not cls.name or cls.name in _REGISTRY:
        raise ValueError(f"field type {cls.name!r} is unnamed or registered twice")
    _REGISTRY[cls.name] = cls()
    return cls


def field_type(name: str) -> FieldType:
    """The registered type; KeyError for an unknown name."""
    return _REGISTRY[name]


def registered() -> Mapping[str, FieldType]:
    return dict(_REGISTRY)
