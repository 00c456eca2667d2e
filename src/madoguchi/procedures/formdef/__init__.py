"""The form engine: form definitions as data, validated and rendered the same way everywhere.

Public API (see docs/form-definition.md for the format):

- parse_definition(data) -> FormDefinition, raising DefinitionError(path, message)
- visible_steps(definition, answers) -> list[Step]
- build_step_form(definition, step_key, *, data, files, answers) -> StepForm
- validate_answers(definition, raw_answers) -> (answers, errors by path)
- summarize(definition, answers) -> list[SummarySection]
- extract_applicant(definition, answers) -> Applicant
- set_answer(answers, path, value) puts a value (e.g. an attachment reference) at a path
- print_items(definition, answers) -> list[PrintItem]: the printed official form's boxes
- fill_from_card(definition, attributes) -> raw answers of the fields marked `"card": …`
- fee_quote(definition.fees, answers) -> FeeQuote | None: the fee lines and total (fees.py)

Field types live in `fields/` (one class per type, a registry); `field.kind` is the type.
"""

from .answers import get_answer, set_answer
from .definition import (
    DefinitionError,
    Field,
    FormDefinition,
    Option,
    Step,
    parse_definition,
)
from .fees import FeeQuote, QuotedLine, fee_quote
from .forms import StepForm, build_step_form
from .summary import (
    Applicant,
    PrintItem,
    SummaryItem,
    SummaryRow,
    SummarySection,
    display_value,
    extract_applicant,
    fill_from_card,
    print_items,
    print_value,
    summarize,
)
from .validation import prune_hidden, validate_answers, visible_steps

__all__ = [
    "Applicant",
    "DefinitionError",
    "FeeQuote",
    "Field",
    "FormDefinition",
    "Option",
    "PrintItem",
    "QuotedLine",
    "Step",
    "StepForm",
    "SummaryItem",
    "SummaryRow",
    "SummarySection",
    "build_step_form",
    "display_value",
    "extract_applicant",
    "fee_quote",
    "fill_from_card",
    "get_answer",
    "parse_definition",
    "print_items",
    "print_value",
    "prune_hidden",
    "set_answer",
    "summarize",
    "validate_answers",
    "visible_steps",
]
