"""Fees (手数料) as part of a form definition: the rule is data, the amount one function.

A definition may carry `"fees"`: lines of a unit price times a quantity taken from the answers
(a number field, the number of a group's items, or a number inside each item), each line shown
only when its condition holds, and an exemption (免除) decided by an answer. The format is in
docs/form-definition.md ("Fees"); why it lives in the definition is in docs/fees.md.

`fee_quote(definition, answers)` is the one place an amount is computed: the check page, the
completion and status pages and the payment record all use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import evaluate
from .parsing import (
    DefinitionError,
    as_list,
    known_keys,
    mapping,
    read_int,
    read_key,
    read_text,
)

MAX_UNIT_PRICE = 1_000_000
MAX_FEE_LINES = 20


@dataclass(frozen=True)
class FeeLine:
    """One line of the rule: `unit_price` yen × the quantity the answers give."""

    key: str
    label: str
    unit_price: int
    label_en: str = ""
    # "" (a fixed fee: quantity 1), "copies" (a number field), "certificates" (a group: its
    # number of items) or "certificates.copies" (a number in each item, summed).
    quantity: str = ""
    when: Any = None  # Condition; for a group quantity, checked per item


@dataclass(frozen=True)
class FeeExemption:
    when: Any  # Condition
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class FeeRule:
    lines: tuple[FeeLine, ...]
    exemption: FeeExemption | None = None


@dataclass(frozen=True)
class QuotedLine:
    key: str
    label: str
    label_en: str
    unit_price: int
    quantity: int

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class FeeQuote:
    """What a resident pays for given answers: the lines, and the total (0 when exempt)."""

    lines: tuple[QuotedLine, ...]
    exempt: bool = False
    exemption_label: str = ""
    exemption_label_en: str = ""

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def total(self) -> int:
        return 0 if self.exempt else self.subtotal

    @property
    def charges(self) -> bool:
        """Whether there is anything to show: some line applies (exempt or not)."""
        return bool(self.lines)

    def as_json(self) -> dict[str, Any]:
        """Kept on the payment record: the quote as it was when the application was made."""
        return {
            "lines": [
                {
                    "key": line.key,
                    "label": line.label,
                    "label_en": line.label_en,
                    "unit_price": line.unit_price,
                    "quantity": line.quantity,
                }
                for line in self.lines
            ],
            "exempt": self.exempt,
            "exemption_label": self.exemption_label,
            "exemption_label_en": self.exemption_label_en,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeeQuote:
        return cls(
            lines=tuple(
                QuotedLine(
                    key=str(line.get("key", "")),
                    label=str(line.get("label", "")),
                    label_en=str(line.get("label_en", "")),
                    unit_price=int(line.get("unit_price", 0)),
                    quantity=int(line.get("quantity", 0)),
                )
                for line in data.get("lines", [])
            ),
            exempt=bool(data.get("exempt")),
            exemption_label=str(data.get("exemption_label", "")),
            exemption_label_en=str(data.get("exemption_label_en", "")),
        )


# --- Parsing ---------------------------------------------------------------------------------

ConditionReader = Any  # (data, path, top fields, sibling fields) -> Condition


def parse_fees(data: Any, path: str, top: Mapping[str, Any], condition: ConditionReader) -> FeeRule:
    """Read `"fees"`; `top` holds every top-level field, `condition` the parser's reader."""
    obj = mapping(data, path)
    known_keys(obj, path, {"lines", "exemption"})
    raw_lines = as_list(obj.get("lines"), f"{path}.lines")
    if not raw_lines:
        raise DefinitionError(f"{path}.lines", "at least one fee line is needed")
    if len(raw_lines) > MAX_FEE_LINES:
        raise DefinitionError(f"{path}.lines", f"at most {MAX_FEE_LINES} fee lines")
    lines: list[FeeLine] = []
    for i, raw in enumerate(raw_lines):
        line = _line(raw, f"{path}.lines[{i}]", top, condition)
        if any(other.key == line.key for other in lines):
            raise DefinitionError(f"{path}.lines[{i}].key", f"duplicate fee line key {line.key!r}")
        lines.append(line)
    exemption = None
    if "exemption" in obj:
        epath = f"{path}.exemption"
        eobj = mapping(obj["exemption"], epath)
        known_keys(eobj, epath, {"when", "label", "label_en"})
        if "when" not in eobj:
            raise DefinitionError(f"{epath}.when", "required")
        exemption = FeeExemption(
            when=condition(eobj["when"], f"{epath}.when", top, {}),
            label=read_text(eobj, "label", epath),
            label_en=read_text(eobj, "label_en", epath, required=False),
        )
    return FeeRule(lines=tuple(lines), exemption=exemption)


def _line(raw: Any, path: str, top: Mapping[str, Any], condition: ConditionReader) -> FeeLine:
    obj = mapping(raw, path)
    known_keys(obj, path, {"key", "label", "label_en", "unit_price", "quantity", "when"})
    if "unit_price" not in obj:
        raise DefinitionError(f"{path}.unit_price", "required")
    unit_price = read_int(obj, "unit_price", path, minimum=0, maximum=MAX_UNIT_PRICE)
    quantity = obj.get("quantity", "")
    if not isinstance(quantity, str):
        raise DefinitionError(f"{path}.quantity", "expected a field key")
    siblings: Mapping[str, Any] = {}
    if quantity:
        group_key, _dot, sub_key = quantity.partition(".")
        source = top.get(group_key)
        if source is None:
            raise DefinitionError(f"{path}.quantity", f"{group_key!r} is not a field of this form")
        if source.kind.repeats:
            siblings = {f.key: f for f in source.fields}
            if sub_key:
                sub = siblings.get(sub_key)
                if sub is None or not sub.kind.counts:
                    raise DefinitionError(
                        f"{path}.quantity", f"{quantity!r} is not a number field of the group"
                    )
        elif sub_key or not source.kind.counts:
            raise DefinitionError(
                f"{path}.quantity",
                f"{quantity!r} must be a number field, a group or a group's number field",
            )
    return FeeLine(
        key=read_key(obj, path),
        label=read_text(obj, "label", path),
        label_en=read_text(obj, "label_en", path, required=False),
        unit_price=unit_price or 0,
        quantity=quantity,
        when=condition(obj["when"], f"{path}.when", top, siblings) if "when" in obj else None,
    )


# --- Computing -------------------------------------------------------------------------------


def fee_quote(rule: FeeRule | None, answers: Mapping[str, Any]) -> FeeQuote | None:
    """The fee for validated answers (hidden fields left out); None when the form has no fee.

    Lines whose quantity comes to 0 are left out; an exemption keeps the lines (the resident
    sees what is waived) and makes the total 0.
    """
    if rule is None:
        return None
    lines = []
    for line in rule.lines:
        quantity = _quantity(line, answers)
        if quantity > 0:
            lines.append(QuotedLine(line.key, line.label, line.label_en, line.unit_price, quantity))
    exempt = bool(lines) and rule.exemption is not None and evaluate(rule.exemption.when, answers)
    return FeeQuote(
        lines=tuple(lines),
        exempt=exempt,
        exemption_label=rule.exemption.label if exempt and rule.exemption else "",
        exemption_label_en=rule.exemption.label_en if exempt and rule.exemption else "",
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _quantity(line: FeeLine, answers: Mapping[str, Any]) -> int:
    if not line.quantity:
        return 1 if line.when is None or evaluate(line.when, answers) else 0
    group_key, _dot, sub_key = line.quantity.partition(".")
    value = answers.get(group_key)
    if not isinstance(value, list):  # a number field (or a hidden group)
        if line.when is not None and not evaluate(line.when, answers):
            return 0
        return _count(value)
    total = 0
    for item in value:
        if not isinstance(item, Mapping):
            continue
        scope = {**answers, **item}
        if line.when is not None and not evaluate(line.when, scope):
            continue
        total += _count(item.get(sub_key)) if sub_key else 1
    return total
