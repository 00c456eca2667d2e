"""The catalogue's panels on the staff home (accounts.home_panels): the form builder, and shared
procedures (the municipality's administrator sees pending updates; the prefecture's users reach
the procedures they publish)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.accounts.home_panels import Link, Panel, home_panel
from madoguchi.accounts.models import Role, StaffUser
from madoguchi.accounts.permissions import EDIT_FORMS, SHARED_VIEW

from .sharing import selectors


@home_panel
def form_builder(user: StaffUser) -> Panel | None:
    if user.municipality is None or not user.has_perm(EDIT_FORMS):
        return None
    return Panel(
        key="form_builder",
        title=_("手続の様式"),
        links=[
            Link(_("様式を作る・直す"), reverse("catalogue_builder:list")),
            Link(_("新しい手続を作る"), reverse("catalogue_builder:new")),
        ],
        primary_for=frozenset({Role.PROCEDURE_EDITOR}),
        order=46,
    )


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
