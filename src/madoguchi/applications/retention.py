"""Retention: after a procedure's retention period, remove personal data, keep the counts.

An application that ended (完了・却下・取下げ) more than `RetentionPolicy.retention_days` ago
loses its answers, applicant name, カナ, e-mail, notes, 補正 versions and attachment files. The
row itself stays, anonymous — procedure, channel, status, dates, receipt number — so statistics
and lead times keep working. Procedures without a policy are never purged. Expired drafts
(一時保存) are deleted with their files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction
from madoguchi.tenancy.models import Municipality

from .models import (
    Application,
    ApplicationEvent,
    Attachment,
    CorrectionRequest,
    Draft,
    RetentionPolicy,
)
from .workflow import TERMINAL

BATCH = 500
ACTOR = "retention_purge"


@dataclass(frozen=True)
class PurgeLine:
    municipality: str
    procedure: str
    status: str
    count: int


def _policies(municipality: Municipality | None) -> QuerySet[RetentionPolicy]:
    qs = RetentionPolicy.objects.select_related("procedure", "municipality")
    return qs.filter(municipality=municipality) if municipality is not None else qs


def due(*, policy: RetentionPolicy, now: datetime) -> QuerySet[Application]:
    return Application.objects.filter(
        municipality_id=policy.municipality_id,
        procedure_id=policy.procedure_id,
        status__in=TERMINAL,
        closed_at__lt=now - timedelta(days=policy.retention_days),
        purged_at__isnull=True,
    )


def plan(
    *, now: datetime | None = None, municipality: Municipality | None = None
) -> list[PurgeLine]:
    """What a purge would do, as anonymous counts per municipality, procedure and status."""
    now = now or timezone.now()
    lines = []
    for policy in _policies(municipality):
        counts = due(policy=policy, now=now).order_by().values("status").annotate(n=Count("pk"))
        for row in counts:
            lines.append(
                PurgeLine(policy.municipality.code, policy.procedure.slug, row["status"], row["n"])
            )
    return lines


def _batches(qs: QuerySet[Application]) -> Iterator[list[int]]:
    while True:
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids


def _delete_files(names: list[str], storage: object) -> None:
    for name in names:
        storage.delete(name)  # type: ignore[attr-defined]


def _purge_attachments(qs: QuerySet[Attachment]) -> int:
    rows = list(qs.values_list("pk", "file"))
    if not rows:
        return 0
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
    names = [name for _pk, name in rows if name]
    Attachment.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
    # Files go only once the rows are gone for good.
    transaction.on_commit(lambda: _delete_files(names, storage))
    return len(rows)


def purge(
    *, now: datetime | None = None, municipality: Municipality | None = None
) -> list[PurgeLine]:
    """Remove the personal data of every application past its retention period."""
    now = now or timezone.now()
    lines = plan(now=now, municipality=municipality)
    for policy in _policies(municipality):
        total = 0
        for ids in _batches(due(policy=policy, now=now)):
            with transaction.atomic():
                _purge_attachments(Attachment.objects.filter(application_id__in=ids))
                ApplicationEvent.objects.filter(application_id__in=ids).update(
                    public_note="", internal_note=""
                )
                CorrectionRequest.objects.filter(application_id__in=ids).update(
                    answers_before={}, answers_after=None, message=""
                )
                total += Application.objects.filter(pk__in=ids, purged_at__isnull=True).update(
                    answers={},
                    applicant_name="",
                    applicant_kana="",
                    contact_email="",
                    search_key="",
                    access_code_hash="",
                    purged_at=now,
                )
                ApplicationEvent.objects.bulk_create(
                    ApplicationEvent(application_id=pk, kind=ApplicationEvent.Kind.PURGED, at=now)
                    for pk in ids
                )
        if total:
            audit_record(
                actor=ACTOR,
                action=AuditAction.PURGE,
                municipality=policy.municipality,
                obj=policy.procedure,
                count=total,
            )
    expired_drafts = Draft.objects.filter(expires_at__lt=now)
    if municipality is not None:
        expired_drafts = expired_drafts.filter(municipality=municipality)
    with transaction.atomic():
        _purge_attachments(Attachment.objects.filter(draft__in=expired_drafts))
        expired_drafts.delete()
    return lines
