"""書かない窓口: the counter's own rows — print layouts (official forms as PDF) and pre-input."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import FormVersion, LifeEvent, Procedure
from madoguchi.tenancy.models import TenantOwned


def base_pdf_path(instance: PrintLayout, filename: str) -> str:
    # Opaque, one name per upload: a replaced form never overwrites the one being printed.
    return f"print-layouts/{instance.municipality.code}/{uuid.uuid4().hex}.pdf"


class PrintLayout(TenantOwned):
    """How a procedure's official form is printed. Without a row, the generated A4 layout."""

    class Kind(models.TextChoices):
        GENERATED = "generated", _("自動作成の様式（A4）")
        OVERLAY = "overlay", _("自治体の様式PDFに印字")

    procedure = models.OneToOneField(
        Procedure, on_delete=models.CASCADE, related_name="print_layout", verbose_name=_("手続")
    )
    kind = models.CharField(
        _("印刷様式の種類"), max_length=16, choices=Kind.choices, default=Kind.GENERATED
    )
    placements = models.JSONField(
        _("印字位置"),
        default=dict,
        blank=True,
        help_text=_("項目ごとのページ・位置（mm）・文字の大きさ（docs/official-forms.md）"),
    )
    base_pdf = models.FileField(_("様式のPDF"), upload_to=base_pdf_path, max_length=255, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("印刷様式")
        verbose_name_plural = _("印刷様式")
        permissions = [("print_application", _("申請書を印刷する"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["generated", "overlay"]),
                name="print_layout_known_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.get_kind_display()})"


class PreInputMode(models.TextChoices):
    TOKEN = "token", _("トークン方式（入力内容はサーバーに保存）")
    PAYLOAD = "payload", _("データ方式（入力内容を暗号化してQRコードに格納）")


class PreInputSetting(TenantOwned):
    """Each municipality's choice of mode; a municipality without a row uses the token mode."""

    mode = models.CharField(
        _("事前入力の方式"), max_length=16, choices=PreInputMode.choices, default=PreInputMode.TOKEN
    )
    lifetime_days = models.PositiveSmallIntegerField(
        _("有効期間（日）"), default=14, help_text=_("QRコードを窓口で使える日数")
    )

    class Meta:
        verbose_name = _("事前入力の設定")
        verbose_name_plural = _("事前入力の設定")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="preinput_setting_one_per_town"),
            models.CheckConstraint(
                condition=models.Q(lifetime_days__gte=1, lifetime_days__lte=90),
                name="preinput_setting_lifetime_1_90",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.mode}"


class PreInput(TenantOwned):
    """Token mode: the answers wait on the server; the QR code carries only the token.

    Only a keyed hash of the token is stored. Consumed at the counter (answers emptied), deleted
    by the resident, or removed after it expires (`preinput_prune`).
    """

    token_hash = models.CharField(max_length=64, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("事前入力")
        verbose_name_plural = _("事前入力")
        indexes = [models.Index(fields=["expires_at"], name="preinput_expires_idx")]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.pk})"


class PreInputRedemption(TenantOwned):
    """A pre-input the counter has taken in (either mode): a second scan of it is refused.

    For the payload mode this is the only server-side trace (a digest of the message id; no answers).
    """

    digest = models.CharField(max_length=64)
    mode = models.CharField(max_length=16, choices=PreInputMode.choices)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    redeemed_at = models.DateTimeField(auto_now_add=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("事前入力の読取")
        verbose_name_plural = _("事前入力の読取")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "digest"], name="preinput_redeemed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.redeemed_at:%Y-%m-%d %H:%M}"


class CounterStation(TenantOwned):
    """A counter PC (窓口端末) whose card agent may hand card attributes to the open form.

    The agent authenticates with the station's token (only its keyed hash is stored; issued in
    the admin, shown once, revoked by revoking the station).
    """

    name = models.CharField(_("名称"), max_length=40, help_text=_("例：市民課 3番窓口"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("無効にした日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("窓口端末")
        verbose_name_plural = _("窓口端末")

    def __str__(self) -> str:
        return self.name


class CounterCase(TenantOwned):
    """One form filled at the counter: from a scanned pre-input or by interview (聞き取り).

    Staff edit and complete it (with what they checked against identity documents), the
    resident confirms it, and it becomes an application with channel "counter"; its answers
    are then emptied here (the application holds them).
    """

    class Source(models.TextChoices):
        PREINPUT_TOKEN = "preinput_token", _("事前入力（トークン方式）")
        PREINPUT_PAYLOAD = "preinput_payload", _("事前入力（データ方式）")
        INTERVIEW = "interview", _("聞き取り")

    class Status(models.TextChoices):
        EDITING = "editing", _("入力中")
        CONFIRMING = "confirming", _("お客様の確認待ち")
        COMPLETED = "completed", _("申請済み")
        ABANDONED = "abandoned", _("中止")

    class IdentityDocument(models.TextChoices):
        MY_NUMBER_CARD = "my_number_card", _("マイナンバーカード")
        DRIVER_LICENCE = "driver_licence", _("運転免許証")
        PASSPORT = "passport", _("旅券（パスポート）")
        RESIDENCE_CARD = "residence_card", _("在留カード・特別永住者証明書")
        HEALTH_INSURANCE = "health_insurance", _("資格確認書・健康保険証など（2点）")
        OTHER = "other", _("その他の書類")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("入力の元"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.EDITING
    )
    answers = models.JSONField(default=dict)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    station = models.ForeignKey(
        CounterStation, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    # reservations' ticket id of the visit being served, when there is one.
    visit_ticket_id = models.PositiveBigIntegerField(null=True, blank=True)
    identity_document = models.CharField(
        _("本人確認書類"), max_length=20, choices=IdentityDocument.choices, blank=True
    )
    verified_fields = models.JSONField(default=list, blank=True)
    # The card agent's last hand-off, waiting for staff to take it into the form.
    card_attributes = models.JSONField(null=True, blank=True)
    card_received_at = models.DateTimeField(null=True, blank=True)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The visit (one scan, several procedures) this form was issued from, when there is one.
    visit = models.ForeignKey(
        "CounterVisit", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("窓口受付")
        verbose_name_plural = _("窓口受付")
        indexes = [models.Index(fields=["station", "status"], name="counter_case_station_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["editing", "confirming", "completed", "abandoned"]),
                name="counter_case_known_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.pk})"

    @property
    def with_preinput(self) -> bool:
        return self.source != self.Source.INTERVIEW


class CounterEvent(TenantOwned):
    """Every step at the counter, timestamped (no personal data): the insights read them
    through `counter.facts` to compare service times with and without pre-input."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("入力開始")
        SCAN = "scan", _("QRコード読取")
        CARD_READ = "card_read", _("カード読取")
        COMPLETED = "completed", _("職員の入力完了")
        CONFIRMED = "confirmed", _("お客様の確認")
        PRINTED = "printed", _("申請書の印刷")
        ABANDONED = "abandoned", _("中止")

    case = models.ForeignKey(CounterCase, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("日時"))
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    with_preinput = models.BooleanField(_("事前入力あり"))

    class Meta:
        verbose_name = _("窓口の記録")
        verbose_name_plural = _("窓口の記録")
        indexes = [models.Index(fields=["municipality", "at"], name="counter_event_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class PreInputVisit(TenantOwned):
    """Token mode of a visit: several procedures pre-filled for one life event, one QR code.

    `items` are the procedures' answers ({"procedure": slug, "form_version": n, "answers": …}),
    `shared` the data entered once (applicant by role, household) for the related procedures the
    counter may add. Like PreInput: only a keyed hash of the token; emptied when taken in."""

    token_hash = models.CharField(max_length=64, unique=True)
    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    items = models.JSONField(default=list)
    shared = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("事前入力（まとめて）")
        verbose_name_plural = _("事前入力（まとめて）")
        indexes = [models.Index(fields=["expires_at"], name="preinput_visit_expires_idx")]

    def __str__(self) -> str:
        return f"{self.life_event} ({self.pk})"


class CounterVisit(TenantOwned):
    """A scanned visit at the counter: staff tick which procedures to issue; each becomes its own
    CounterCase (linked here), pre-filled from the shared data, which is then erased."""

    class Status(models.TextChoices):
        OPEN = "open", _("手続の選択中")
        ISSUED = "issued", _("申請書を作成済み")

    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("入力の元"), max_length=20, choices=CounterCase.Source.choices)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default="open")
    items = models.JSONField(default=list)
    shared = models.JSONField(default=dict)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    station = models.ForeignKey(
        CounterStation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visit_ticket_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("窓口の来庁（まとめて受付）")
        verbose_name_plural = _("窓口の来庁（まとめて受付）")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "issued"]),
                name="counter_visit_known_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.life_event} ({self.pk})"
