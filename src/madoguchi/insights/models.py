"""The one row insights keeps: each municipality's targets for its figures.

Insights reads other apps only through their read contracts (facts.py); the foreign key to the
municipality is named by label, so this module imports no other app's models.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_ONLINE_TARGET_PERCENT = 80
DEFAULT_WAIT_TARGET_MINUTES = 15


class InsightsTarget(models.Model):
    municipality = models.OneToOneField(
        "tenancy.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("自治体"),
    )
    online_target_percent = models.PositiveSmallIntegerField(
        _("オンライン申請の目標（%）"),
        default=DEFAULT_ONLINE_TARGET_PERCENT,
        validators=[MaxValueValidator(100)],
    )
    wait_target_minutes = models.PositiveSmallIntegerField(
        _("待ち時間の目標（分以内に呼出）"),
        default=DEFAULT_WAIT_TARGET_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )

    class Meta:
        verbose_name = _("分析の目標値")
        verbose_name_plural = _("分析の目標値")

    def __str__(self) -> str:
        return str(_("分析の目標値"))


class DailyRollup(models.Model):
    """One aggregated fact of one past day, or of one past week (`day` its Monday; kinds ending
    in "_w", rollups.py): the dashboards sum these rows instead of scanning a year of visits and
    applications. Generic columns, named per kind in
    rollups.py; no personal data (ids of services and procedures, counts, sums)."""

    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    kind = models.CharField(max_length=12)
    a = models.IntegerField(default=0)
    b = models.IntegerField(default=0)
    c = models.CharField(max_length=24, blank=True, default="")
    n = models.BigIntegerField(default=0)
    x = models.FloatField(default=0.0)
    n2 = models.BigIntegerField(default=0)
    n3 = models.BigIntegerField(default=0)
    n4 = models.BigIntegerField(default=0)
    n5 = models.BigIntegerField(default=0)
    n6 = models.BigIntegerField(default=0)
    n7 = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["municipality", "kind", "day"], name="rollup_kind_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class RollupState(models.Model):
    """How far a municipality's daily rollup reaches (every day up to `rolled_through`)."""

    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    rolled_from = models.DateField()
    rolled_through = models.DateField()
    # The wait target the rolled visit rows counted "called within" for (minutes).
    wait_target_minutes = models.PositiveSmallIntegerField(default=DEFAULT_WAIT_TARGET_MINUTES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="rollup_state_one_per_town")
        ]

    def __str__(self) -> str:
        return f"{self.rolled_from}–{self.rolled_through}"
