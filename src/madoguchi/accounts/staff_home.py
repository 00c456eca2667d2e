"""The administrator's configuration panel on the staff home (see home_panels)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .home_panels import Link, Panel, home_panel
from .models import Role, StaffUser
from .permissions import SECOND_FACTOR_POLICY


@home_panel
def configuration(user: StaffUser) -> Panel | None:
    if user.municipality is None or not user.is_staff:
        return None
    links = [Link(_("手続・自治体情報の管理"), reverse("admin:index"))]
    if user.has_perm("tenancy.change_trustpage"):
        links.append(
            Link(
                _("個人情報の取扱い・利用規約・アクセシビリティ方針"),
                reverse("admin:tenancy_trustpage_changelist"),
            )
        )
    if user.has_perm("accounts.change_staffuser"):
        links.append(Link(_("職員アカウント"), reverse("admin:accounts_staffuser_changelist")))
    if user.has_perm(SECOND_FACTOR_POLICY):
        links.append(Link(_("2段階認証の必須化"), reverse("accounts:security")))
    return Panel(
        key="configuration",
        title=_("自治体の設定"),
        links=links,
        primary_for=frozenset({Role.MUNICIPALITY_ADMIN}),
        order=45,
    )
