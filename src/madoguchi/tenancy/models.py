"""Prefectures and municipalities (tenants), and the base for every tenant-owned row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.localized_text import localized_str
from madoguchi.core.municipality_code import validate_municipality_code
from madoguchi.core.uploads import JPEG, PNG, validate_attachment

from .municipality_cache import forget_municipality

if TYPE_CHECKING:
    from .access import Scope


def validate_code(value: str) -> None:
    """Model-field validator for 全国地方公共団体コード (check digit included)."""
    validate_municipality_code(value)


LOGO_MAX_BYTES = 512 * 1024


def validate_logo(file: Any) -> None:
    """PNG or JPEG only (SVG can carry scripts), sniffed from the content, at most 512 KB."""
    validate_attachment(file, allowed={PNG, JPEG}, max_bytes=LOGO_MAX_BYTES)


class BrandColor(models.TextChoices):
    """Key colours from the Digital Agency design system, all ≥ 4.5:1 against white."""

    BLUE = "#0017c1", _("青")
    LIGHT_BLUE = "#00418f", _("紺")
    GREEN = "#115a36", _("緑")
    ORANGE = "#8b3800", _("橙")
    RED = "#b50019", _("赤")
    PURPLE = "#5c10be", _("紫")


class Prefecture(models.Model):
    code = models.CharField(_("団体コード"), max_length=6, unique=True, validators=[validate_code])
    name = models.CharField(_("名称"), max_length=10)
    name_kana = models.CharField(_("名称（カナ）"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A tenant, identified by its 6-digit 全国地方公共団体コード (check digit validated)."""

    code = models.CharField(
        _("団体コード"),
        max_length=6,
        unique=True,
        validators=[validate_code],
        help_text=_("全国地方公共団体コード（6桁、検査数字を含む）"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField(_("名称"), max_length=40)
    name_kana = models.CharField(_("名称（カナ）"), max_length=80, blank=True)
    name_en = models.CharField(_("名称（英語）"), max_length=80, blank=True)
    is_active = models.BooleanField(_("公開中"), default=True)
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    # Branding
    logo = models.FileField(
        _("ロゴ画像"),
        upload_to="branding/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG または JPEG、512KB まで"),
    )
    brand_color = models.CharField(
        _("テーマ色"), max_length=7, choices=BrandColor.choices, default=BrandColor.BLUE
    )
    # Contact details
    department = models.CharField(_("問い合わせ先の部署"), max_length=80, blank=True)
    department_en = models.CharField(_("問い合わせ先の部署（英語）"), max_length=120, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    address_en = models.CharField(_("所在地（英語）"), max_length=300, blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    opening_note = models.CharField(
        _("開庁時間の補足"),
        max_length=200,
        blank=True,
        help_text=_("例：土日・祝日・年末年始（12月29日〜1月3日）は閉庁"),
    )
    opening_note_en = models.CharField(
        _("開庁時間の補足（英語）"),
        max_length=300,
        blank=True,
        help_text=_("例：Closed on weekends, national holidays and 29 December to 3 January"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")

    def __str__(self) -> str:
        return f"{self.prefecture.name}{self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_municipality(self.code)

    @property
    def display_name(self) -> str:
        """The name in the reader's language (English where one is given)."""
        return localized_str(self, "name")

    @property
    def brand_theme(self) -> str:
        """CSS theme name for the brand colour (a class, since the CSP forbids inline styles)."""
        return BrandColor(self.brand_color).name.lower().replace("_", "-")


class OpeningHours(models.Model):
    """Opening hours per weekday, as data (exceptions come with the reservations calendar)."""

    class Weekday(models.IntegerChoices):
        MON = 0, _("月曜日")
        TUE = 1, _("火曜日")
        WED = 2, _("水曜日")
        THU = 3, _("木曜日")
        FRI = 4, _("金曜日")
        SAT = 5, _("土曜日")
        SUN = 6, _("日曜日")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("曜日"), choices=Weekday.choices)
    opens = models.TimeField(_("開庁時刻"))
    closes = models.TimeField(_("閉庁時刻"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("開庁時間")
        verbose_name_plural = _("開庁時間")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="opening_hours_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


_T = TypeVar("_T", bound="TenantOwned")


class TenantQuerySet(models.QuerySet[_T]):
    def for_municipality(self, municipality: Municipality) -> TenantQuerySet[_T]:
        return self.filter(municipality=municipality)

    def for_scope(self, scope: Scope) -> TenantQuerySet[_T]:
        return scope.filter(self)


class TenantManager(models.Manager[_T]):
    """`Model.objects.for_municipality(m)`: the scoped starting point for tenant-owned rows."""

    def get_queryset(self) -> TenantQuerySet[_T]:
        return TenantQuerySet(self.model, using=self._db)

    def for_municipality(self, municipality: Municipality) -> TenantQuerySet[_T]:
        return self.get_queryset().for_municipality(municipality)

    def for_scope(self, scope: Scope) -> TenantQuerySet[_T]:
        return self.get_queryset().for_scope(scope)


class TenantOwned(models.Model):
    """Every tenant-owned row carries its municipality; reach rows through scoped selectors."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("自治体")
    )

    objects = TenantManager()

    class Meta:
        abstract = True


class TrustPage(TenantOwned):
    """A municipality's privacy notice, terms of use or accessibility statement, as data.

    Linked from every resident page's footer and from the consent step of application forms.
    Plain text (paragraphs separated by blank lines), Japanese with an optional English text.
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("個人情報の取扱い")
        TERMS = "terms", _("利用規約")
        ACCESSIBILITY = "accessibility", _("ウェブアクセシビリティ方針")

    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    body = models.TextField(_("本文"), help_text=_("段落の間は空行にしてください。"))
    body_en = models.TextField(_("本文（英語）"), blank=True)
    updated_on = models.DateField(_("最終更新日"))

    class Meta:
        ordering = ["municipality", "kind"]
        verbose_name = _("個人情報・利用規約・アクセシビリティのページ")
        verbose_name_plural = _("個人情報・利用規約・アクセシビリティのページ")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind"],
                name="trust_page_one_per_kind",
                violation_error_message=_(
                    "この種類のページはすでにあります。それを変更してください。"
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def title(self) -> str:
        return str(self.get_kind_display())
