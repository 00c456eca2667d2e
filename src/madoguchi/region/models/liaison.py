"""The liaison desk (DX推進リエゾン): municipalities' consultations and 出前講座 requests, the DX
team's answers in a thread, the knowledge base published from answered consultations, and the
notices the prefecture sends to its municipalities' staff.

A consultation (with its messages and attachments) belongs to the municipality that asked
(TenantOwned), so Scope narrows it like every tenant row. Knowledge entries and notices belong
to the prefecture; a notice's delivery to one staff member (with its read state) belongs to that
member's municipality.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Municipality, Prefecture, TenantOwned

from .files import StoredFile
from .talent import Specialist


class Topic(models.TextChoices):
    """What a consultation or a 出前講座 is about (the prefecture's support menu)."""

    TOP_MANAGEMENT = "top_management", _("トップマネジメント")
    KAIZEN = "kaizen", _("カイゼンDX")
    DATA = "data", _("データ利活用")
    SECURITY = "security", _("セキュリティ")
    COUNTER = "counter", _("窓口DX")
    ONLINE = "online", _("オンライン手続")
    STANDARD = "standard", _("基幹業務システムの標準化")
    PROCUREMENT = "procurement", _("調達・契約")
    OTHER = "other", _("その他")


class ConsultationKind(models.TextChoices):
    CONSULTATION = "consultation", _("相談")
    LECTURE = "lecture", _("出前講座")


class ConsultationStatus(models.TextChoices):
    RECEIVED = "received", _("受付")
    IN_PROGRESS = "in_progress", _("対応中")
    ANSWERED = "answered", _("回答済")
    CLOSED = "closed", _("完了")
    SCHEDULING = "scheduling", _("日程調整中")
    SCHEDULED = "scheduled", _("実施予定")
    HELD = "held", _("実施済")


class Priority(models.TextChoices):
    HIGH = "high", _("高")
    NORMAL = "normal", _("中")
    LOW = "low", _("低")


class Consultation(TenantOwned):
    kind = models.CharField(
        _("種類"), max_length=12, choices=ConsultationKind.choices, default="consultation"
    )
    topic = models.CharField(_("分野"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("件名"), max_length=120)
    body = models.TextField(_("内容"))
    # 出前講座: up to three preferred dates, and who will attend.
    preferred_dates = models.JSONField(_("希望日"), default=list, blank=True)
    audience = models.CharField(_("対象と人数"), max_length=200, blank=True)
    scheduled_on = models.DateField(_("実施日"), null=True, blank=True)
    may_publish = models.BooleanField(_("回答を事例として公開してよい"), default=False)
    status = models.CharField(
        _("状態"), max_length=12, choices=ConsultationStatus.choices, default="received"
    )
    priority = models.CharField(
        _("優先度"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("担当リエゾン"),
    )
    expert = models.ForeignKey(
        Specialist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("専門人材"),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("受付日時"), auto_now_add=True)
    first_response_at = models.DateTimeField(_("初回回答日時"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解決日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("相談")
        verbose_name_plural = _("相談")

    def __str__(self) -> str:
        return self.title


class ConsultationMessage(models.Model):
    """One message of a consultation's thread (the municipality's or the DX team's)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("相談")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_prefecture = models.BooleanField(_("県から"), default=False)
    body = models.TextField(_("本文"))
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("相談のやりとり")
        verbose_name_plural = _("相談のやりとり")

    def __str__(self) -> str:
        return f"{self.consultation_id}#{self.pk}"


def consultation_file_path(instance: ConsultationFile, filename: str) -> str:
    # Opaque, like applications' attachments: the uploaded name stays in the row only.
    return f"region/liaison/{instance.municipality.code}/{instance.id}"


class ConsultationFile(StoredFile):
    """A file attached to a consultation."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="files", verbose_name=_("相談")
    )
    file = models.FileField(upload_to=consultation_file_path, max_length=255)

    class Meta(StoredFile.Meta):
        verbose_name = _("相談の添付ファイル")
        verbose_name_plural = _("相談の添付ファイル")


class KnowledgeEntry(models.Model):
    """An answered consultation published for every municipality of the prefecture, with the
    municipality's consent and the personal names taken out."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name=_("都道府県")
    )
    consultation = models.OneToOneField(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge",
        verbose_name=_("元の相談"),
    )
    topic = models.CharField(_("分野"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("件名"), max_length=120)
    question = models.TextField(_("質問"))
    answer = models.TextField(_("回答"))
    population_class = models.CharField(_("人口規模"), max_length=20, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("公開日時"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("相談事例")
        verbose_name_plural = _("相談事例")

    def __str__(self) -> str:
        return self.title


class Notice(models.Model):
    """A notice the prefecture sends to the staff of all or some of its municipalities."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name=_("都道府県")
    )
    title = models.CharField(_("件名"), max_length=120)
    body = models.TextField(_("本文"))
    to_all = models.BooleanField(_("管内のすべての市町村へ"), default=True)
    targets = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("送り先の市町村")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("送信日時"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")

    def __str__(self) -> str:
        return self.title


class NoticeDelivery(TenantOwned):
    """A notice as one staff member received it: the mail's reference and the read state."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("お知らせ")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("職員")
    )
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)

    class Meta:
        ordering = ["-notice__sent_at", "-pk"]
        verbose_name = _("お知らせの配信")
        verbose_name_plural = _("お知らせの配信")
        constraints = [
            models.UniqueConstraint(fields=["notice", "staff"], name="notice_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.staff_id}"
