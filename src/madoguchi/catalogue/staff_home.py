"""Shared procedures on the staff home (accounts.home_panels): the municipality's administrator
sees pending updates; the prefecture's users reach the procedures they publish."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.accounts.home_panels import Link, Panel, home_panel
from madoguchi.accounts.models import StaffUser
from madoguchi.accounts.permissions import SHARED_VIEW

from .sharing import selectors


@home_panel
def shared_procedures(user: StaffUser) -> Panel | None:
    if user.municipality is not None and user.has_perm("catalogue.view_procedureadoption"):
        pending = len(selectors.pending_updates(municipality=user.municipality))
        return Panel(
            key="shared_procedures",
            title=_("共通手続"),
            links=[
                Link(
                    _("都道府県・全国標準の手続（更新あり）"),
                    reverse("catalogue_shared:catalogue"),
                    pending,
                )
            ],
            order=70,
        )
    if user.prefecture is not None and user.has_perm(SHARED_VIEW):
        return Panel(
            key="shared_procedures",
            title=_("共通手続"),
            links=[Link(_("県の共通手続の公開"), reverse("catalogue_shared:prefecture"))],
            order=70,
        )
    return None
