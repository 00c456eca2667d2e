"""The counter-mode panel on the staff home (accounts.home_panels)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.accounts.home_panels import Link, Panel, home_panel
from madoguchi.accounts.models import Role, StaffUser
from madoguchi.accounts.permissions import COUNTER_SERVE

from . import selectors


@home_panel
def counter_mode(user: StaffUser) -> Panel | None:
    if user.municipality is None or not user.has_perm(COUNTER_SERVE):
        return None
    open_cases = selectors.counter_cases_open(user=user)
    return Panel(
        key="counter_mode",
        title=_("窓口モード（書かない窓口）"),
        links=[
            Link(
                _("事前入力の読み取り・聞き取りで入力"),
                reverse("counter_staff:desk"),
                len(open_cases) or None,
            )
        ],
        primary_for=frozenset({Role.COUNTER}),
        order=11,
    )
