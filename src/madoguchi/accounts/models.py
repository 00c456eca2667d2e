"""Staff accounts: each belongs to one municipality (or, for aggregate viewers, a prefecture)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Municipality, Prefecture, TenantOwned


class Role(models.TextChoices):
    COUNTER = "counter", _("窓口担当")
    BACK_OFFICE = "back_office", _("処理担当")
    MANAGER = "manager", _("管理職")
    MUNICIPALITY_ADMIN = "municipality_admin", _("自治体管理者")
    PROCEDURE_EDITOR = "procedure_editor", _("手続編集者")
    PREFECTURE_VIEWER = "prefecture_viewer", _("都道府県（集計のみ）")
    PREFECTURE_DX = "prefecture_dx", _("都道府県DX推進チーム")


MUNICIPALITY_ROLES = [
    Role.COUNTER,
    Role.BACK_OFFICE,
    Role.MANAGER,
    Role.MUNICIPALITY_ADMIN,
    Role.PROCEDURE_EDITOR,
]
PREFECTURE_ROLES = [Role.PREFECTURE_VIEWER, Role.PREFECTURE_DX]


class StaffUser(AbstractUser):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所属自治体"),
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所属都道府県"),
    )
    role = models.CharField(_("役割"), max_length=32, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        constraints = [
            # A municipality role needs a municipality; a prefecture role a prefecture and no
            # municipality (it sees aggregates only). Superusers (operators) may have neither.
            models.CheckConstraint(
                name="staff_role_matches_tenant",
                condition=(
                    models.Q(role="")
                    | models.Q(role__in=MUNICIPALITY_ROLES, municipality__isnull=False)
                    | models.Q(
                        role__in=PREFECTURE_ROLES,
                        prefecture__isnull=False,
                        municipality__isnull=True,
                    )
                ),
            )
        ]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class SecondFactorRequirement(TenantOwned):
    """A role of a municipality whose staff must use the second factor (a row means required).

    Set by the municipality's managers and administrators (accounts/views.py security_policy).
    No row: the role may choose, so a fresh install and the demo work without an authenticator.
    """

    role = models.CharField(_("役割"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("2段階認証を必須にする役割")
        verbose_name_plural = _("2段階認証を必須にする役割")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "role"], name="second_factor_role_once_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.role}"


class StaffDepartment(TenantOwned):
    """Which departments (担当課) a back-office staff member processes (see docs/backoffice.md).

    The table keeps its first name (it was created by the applications app).
    """

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("職員"),
    )
    department = models.CharField(
        _("担当課"), max_length=80, help_text=_("手続の「担当課」と同じ名前を書いてください。")
    )

    class Meta:
        db_table = "applications_staffdepartment"
        verbose_name = _("職員の担当課")
        verbose_name_plural = _("職員の担当課")
        constraints = [
            models.UniqueConstraint(fields=["staff", "department"], name="staff_department_unique")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.department}"
