"""Number formatting for the prefecture console (humanize is not installed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def comma(value: Any) -> str:
    """1234567 → 1,234,567; a Decimal keeps its decimals (1234.50 → 1,234.50); None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"{int(value):,}"  # 2100.00 → 2,100
        return f"{value:,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@register.filter
def signed(value: Any) -> str:
    """A difference with its sign: +1,000 / −2,000 / 0."""
    if value is None:
        return ""
    return f"{value:+,}".replace("-", "−") if value else "0"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key], or None (templates cannot index a dict by a variable)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def normalize(value: Any) -> str:
    """0.4500 → 0.45, 1.000 → 1 (a stored Decimal without its padding zeros)."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return "" if value is None else str(value)


@register.filter
def subtract(value: Any, other: Any) -> str:
    """The difference of two figures with its sign (+3.0 / −1.5 / 0)."""
    try:
        difference = Decimal(value) - Decimal(other)
    except (TypeError, ArithmeticError, ValueError):
        return ""
    if not difference:
        return "0"
    return f"{difference:+}".replace("-", "−")


@register.filter
def figure(value: Any) -> str:
    """A measured or reported figure without padding zeros: 1950.00 → 1,950, 0.40 → 0.4."""
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return format(value.normalize(), ",f")
    return comma(value)
