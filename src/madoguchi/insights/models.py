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
