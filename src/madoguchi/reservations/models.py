"""待たない窓口: the counter hall's calendar, bookings, tickets and the visit-event log.

Capacity and numbering live in small counter rows (`SlotLoad`, `TicketCounter`) that are changed
with one conditional UPDATE inside the booking/ticket transaction, so concurrent requests cannot
double-book a slot or hand out a ticket number twice (see services.py).
"""

from __future__ import annotations

import math
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.localized_text import localized_str
from madoguchi.tenancy.models import TenantOwned

if TYPE_CHECKING:
    from madoguchi.tenancy.models import Municipality


def new_kiosk_key() -> str:
    return secrets.token_urlsafe(18)


class ReservationPolicy(TenantOwned):
    """One municipality's booking rules (data, edited by managers)."""

    slot_minutes = models.PositiveSmallIntegerField(
        _("予約枠の長さ（分）"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    walk_in_share_percent = models.PositiveSmallIntegerField(
        _("予約なしの来庁者のために空けておく割合（%）"),
        default=25,
        validators=[MaxValueValidator(100)],
        help_text=_("予約を受ける窓口の数のうち、この割合（切り上げ）は予約に使いません。"),
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        _("何日先まで予約できるか"), default=60, validators=[MinValueValidator(1)]
    )
    booking_lead_minutes = models.PositiveIntegerField(
        _("予約の締切（開始の何分前まで）"), default=60
    )
    max_active_bookings_per_person = models.PositiveSmallIntegerField(
        _("1人が同時に持てる予約の数"), default=3, validators=[MinValueValidator(1)]
    )
    closed_on_national_holidays = models.BooleanField(_("国民の祝日は閉庁"), default=True)
    closed_year_end = models.BooleanField(_("年末年始（12月29日〜1月3日）は閉庁"), default=True)
    kiosk_key = models.CharField(
        _("受付機の鍵"),
        max_length=40,
        default=new_kiosk_key,
        help_text=_("受付機（発券機）の URL に入る秘密の文字列です。漏れたら変更してください。"),
    )

    class Meta:
        verbose_name = _("予約の設定")
        verbose_name_plural = _("予約の設定")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                name="reservation_policy_one_per_town",
                violation_error_message=_("予約の設定はすでにあります。それを変更してください。"),
            )
        ]

    @classmethod
    def of(cls, municipality: Municipality) -> ReservationPolicy:
        """The municipality's policy, or the defaults (unsaved) before a manager set one."""
        return cls.objects.for_municipality(municipality).first() or cls(municipality=municipality)

    def bookable(self, windows: int) -> int:
        """Bookings per slot that `windows` windows take, less the walk-in share kept free."""
        return max(0, windows - math.ceil(windows * self.walk_in_share_percent / 100))

    def __str__(self) -> str:
        return str(_("予約の設定"))


class CalendarException(TenantOwned):
    """A closed day or special hours on one date (overrides the weekly opening hours)."""

    date = models.DateField(_("日付"))
    closed = models.BooleanField(_("閉庁"), default=True)
    opens = models.TimeField(_("開庁時刻"), null=True, blank=True)
    closes = models.TimeField(_("閉庁時刻"), null=True, blank=True)
    note = models.CharField(_("理由・お知らせ"), max_length=200, blank=True)
    note_en = models.CharField(_("理由・お知らせ（英語）"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("特別な開庁日・閉庁日")
        verbose_name_plural = _("特別な開庁日・閉庁日")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "date"],
                name="calendar_exception_one_per_date",
                violation_error_message=_("この日付はすでに登録されています。"),
            ),
            models.CheckConstraint(
                name="calendar_exception_hours",
                violation_error_message=_(
                    "閉庁にしない日は、開始と終了の時刻を入れてください（開始は終了より前）。"
                ),
                condition=models.Q(closed=True)
                | models.Q(opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
            ),
        ]

    def __str__(self) -> str:
        if self.closed:
            return f"{self.date:%Y-%m-%d} {_('閉庁')}"
        return f"{self.date:%Y-%m-%d} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Service(TenantOwned):
    """A group of procedures served at the same windows, with its own ticket series (A, B…)."""

    name = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("名称（英語）"), max_length=120, blank=True)
    series = models.CharField(
        _("番号札の記号"),
        max_length=1,
        validators=[RegexValidator(r"^[A-Z]$", _("A〜Z の大文字1文字で入力してください。"))],
    )
    standard_minutes = models.PositiveSmallIntegerField(
        _("標準の対応時間（分）"), default=15, validators=[MinValueValidator(1)]
    )
    bookable = models.BooleanField(_("来庁予約を受け付ける"), default=True)
    is_active = models.BooleanField(_("利用中"), default=True)
    description = models.CharField(_("説明（1行）"), max_length=200, blank=True)
    description_en = models.CharField(_("説明（英語）"), max_length=300, blank=True)
    procedures = models.ManyToManyField(
        "procedures.Procedure", blank=True, related_name="+", verbose_name=_("手続")
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=100)

    class Meta:
        ordering = ["sort_order", "series"]
        verbose_name = _("窓口業務")
        verbose_name_plural = _("窓口業務")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "series"],
                name="service_unique_series_per_town",
                violation_error_message=_("この記号はほかの業務で使われています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the reader's language (English where one is given)."""
        return localized_str(self, "name")


class Window(TenantOwned):
    """A counter window (窓口) and the services it can handle."""

    name = models.CharField(_("名称"), max_length=40, help_text=_("例：3番窓口"))
    name_en = models.CharField(
        _("名称（英語）"), max_length=60, blank=True, help_text=_("例：Counter 3")
    )
    label = models.CharField(
        _("表示用の番号"), max_length=8, help_text=_("呼出表示に大きく出す番号。例：3")
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="windows", verbose_name=_("対応する業務")
    )
    accepts_bookings = models.BooleanField(_("予約の来庁者に対応"), default=True)
    is_active = models.BooleanField(_("利用中"), default=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=100)

    class Meta:
        ordering = ["sort_order", "label"]
        verbose_name = _("窓口")
        verbose_name_plural = _("窓口")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "label"],
                name="window_unique_label",
                violation_error_message=_("この表示用の番号はほかの窓口で使われています。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (English where one is given)."""
        return localized_str(self, "name")


class SlotLoad(TenantOwned):
    """How many bookings a service's slot holds: the row the capacity check updates atomically."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "start"], name="slot_load_unique")
        ]


class Booking(TenantOwned):
    class Status(models.TextChoices):
        BOOKED = "booked", _("予約済み")
        CHECKED_IN = "checked_in", _("受付済み")
        CANCELLED = "cancelled", _("取消し")

    code = models.CharField(_("予約番号"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("窓口業務")
    )
    procedures = models.ManyToManyField(
        "procedures.Procedure", blank=True, related_name="+", verbose_name=_("手続")
    )
    start = models.DateTimeField(_("予約日時"))
    end = models.DateTimeField(_("終了予定"))
    name = models.CharField(_("氏名"), max_length=80)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    # HMAC of the normalised phone/e-mail: counts a person's bookings without searching by PII.
    contact_hash = models.CharField(max_length=64, db_index=True)
    submission_token = models.CharField(max_length=40)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(_("予約した日時"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取り消した日時"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("前日のお知らせ送信"), null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("来庁予約")
        verbose_name_plural = _("来庁予約")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "submission_token"], name="booking_unique_submission"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "start"]),
            models.Index(fields=["municipality", "contact_hash", "status"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class TicketCounter(TenantOwned):
    """The last number handed out per series and day, incremented under a row lock."""

    series = models.CharField(max_length=1)
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "series", "day"], name="ticket_counter_unique"
            )
        ]


class Ticket(TenantOwned):
    """One visit in the hall: a walk-in's numbered ticket, or a booked visitor's after check-in."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("お待ち")
        CALLED = "called", _("呼出中")
        SERVING = "serving", _("対応中")
        FINISHED = "finished", _("終了")
        NO_SHOW = "no_show", _("不在")

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("窓口業務")
    )
    series = models.CharField(_("記号"), max_length=1)
    day = models.DateField(_("日付"))
    number = models.PositiveIntegerField(_("番号"))
    booking = models.OneToOneField(
        Booking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name=_("来庁予約"),
    )
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("窓口"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("担当者"),
    )
    issued_at = models.DateTimeField(_("発券"))
    # Arrival in the queue: walk-ins are served in this order (kept across a transfer).
    queued_at = models.DateTimeField(_("並んだ時刻"))
    # A booked visitor who checked in on time is called at this time, before walk-ins.
    booked_for = models.DateTimeField(_("予約時刻（優先呼出）"), null=True, blank=True)
    called_at = models.DateTimeField(_("呼出"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("最後の呼出"), null=True, blank=True)
    started_at = models.DateTimeField(_("対応開始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("対応終了"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("呼出回数"), default=0)

    class Meta:
        ordering = ["day", "series", "number"]
        verbose_name = _("番号札")
        verbose_name_plural = _("番号札")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "series", "day", "number"], name="ticket_unique_number"
            )
        ]
        indexes = [models.Index(fields=["municipality", "day", "status"])]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.series}{self.number:03d}"


class VisitEvent(TenantOwned):
    """Every step of every visit, timestamped, in one table (the insights read it)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("発券")
        CHECKED_IN = "checked_in", _("予約の受付")
        CALLED = "called", _("呼出")
        RECALLED = "recalled", _("再呼出")
        STARTED = "started", _("対応開始")
        FINISHED = "finished", _("対応終了")
        NO_SHOW = "no_show", _("不在")
        TRANSFERRED = "transferred", _("業務の変更")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("日時"))
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("窓口業務")
    )
    to_service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("変更先の業務"),
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("窓口"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("担当者"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("来庁の記録")
        verbose_name_plural = _("来庁の記録")
        indexes = [
            models.Index(fields=["municipality", "at"]),
            models.Index(fields=["municipality", "kind", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_kind_display()}"
