"""`{{ amount|yen }}`: an amount of money in the reader's language (1,050円 / ¥1,050)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yen(value: Any) -> str:
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    return _("%(amount)s円") % {"amount": f"{amount:,}"}
