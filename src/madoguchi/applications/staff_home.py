"""The back office's panel on the staff home: the inbox with its counts (accounts.home_panels)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.accounts.home_panels import Link, Panel, home_panel
from madoguchi.accounts.models import Role, StaffUser

from .models import OPEN_STATUSES
from .selectors import InboxFilters, inbox_status_counts

# What still needs someone's work, in the order a clerk takes it up.


@home_panel
def inbox(user: StaffUser) -> Panel | None:
    if (
        user.municipality is None
        or user.role == Role.COUNTER
        or not user.has_perm("applications.view_application")
    ):
        return None
    counts = inbox_status_counts(user=user, filters=InboxFilters())
    mine = inbox_status_counts(user=user, filters=InboxFilters(assignee="me"))
    url = reverse("applications_staff:inbox")
    links = [
        Link(_("受付箱（処理中のすべて）"), url, sum(counts[s] for s in OPEN_STATUSES)),
        *(Link(str(s.label), f"{url}?status={s.value}", counts[s]) for s in OPEN_STATUSES),
        Link(_("自分の担当（処理中）"), f"{url}?assignee=me", sum(mine[s] for s in OPEN_STATUSES)),
    ]
    if user.has_perm("intake.view_importrun"):
        links.append(Link(_("外部連携データの取込"), reverse("intake:home")))
    return Panel(
        key="inbox",
        title=_("申請の受付箱"),
        links=links,
        primary_for=frozenset({Role.BACK_OFFICE}),
        order=20,
    )
