"""Field types as a registry: one module, one class per type of a form definition's field.

Each class (a `FieldType` subclass, registered by `@register` under the definition's `"type"`)
owns everything that differs between types — reading its attributes from the definition,
emptiness, cleaning, the empty answer, the step form's inputs, display on the check page and the
staff detail, the hand-off layout's columns and cells, the printed form's text and filling from
My Number card attributes. The engine (definition, validation, forms, summary, handoff) dispatches
through `field.kind`; `tests/test_architecture.py` keeps type names out of every other module.

Adding a type: a new module here defining a `FieldType` subclass, imported below.
"""

from . import (  # noqa: F401 — importing a module registers its type
    address,
    checkbox,
    choice,
    date,
    email,
    file,
    group,
    long_text,
    multi_choice,
    name,
    notice,
    number,
    phone,
    postal_code,
    text,
)
from .base import (
    ColumnPart,
    FieldError,
    FieldType,
    ParseContext,
    PendingUpload,
    field_type,
    register,
    registered,
)

__all__ = [
    "ColumnPart",
    "FieldError",
    "FieldType",
    "ParseContext",
    "PendingUpload",
    "field_type",
    "register",
    "registered",
]
