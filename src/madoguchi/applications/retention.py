"""Retention: after a procedure's retention period, remove personal data, keep the counts.

An application that ended (完了・却下・取下げ) more than `RetentionPolicy.retention_days` ago
loses its answers, applicant name, カナ, e-mail, notes, 補正 versions and attachment files. The
row itself stays, anonymous — procedure, channel, status, dates, receipt number — so statistics
and lead times keep working. Procedures without a policy are never purged. Expired drafts
(一時保存) are deleted with their files, and so are orphaned uploads (see `orphans`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
from .selectors import attachment_ids_in
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
                    public_note="", public_note_easy="", internal_note=""
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
    return lines


# --- Orphaned uploads ------------------------------------------------------------------------
#
# Files residents uploaded that no application will ever use: replaced in a draft (a new file
# chosen for the same question), left in abandoned drafts (expired), rows that lost their draft,
# and files in the store that no row points to (a crash between writing a file and its row).
# Only what is older than ORPHAN_GRACE is touched, so an upload in progress is never taken.

ORPHAN_GRACE = timedelta(days=1)
ATTACHMENT_DIR = "attachments"


@dataclass(frozen=True)
class OrphanCounts:
    expired_drafts: int
    replaced: int
    detached: int
    stray_files: int

    def line(self) -> str:
        return (
            f"orphans expired_drafts={self.expired_drafts} replaced={self.replaced} "
            f"detached={self.detached} stray_files={self.stray_files}"
        )


def _scoped(qs: QuerySet[Any], municipality: Municipality | None) -> QuerySet[Any]:
    return qs.filter(municipality=municipality) if municipality is not None else qs


def _replaced(*, now: datetime, municipality: Municipality | None) -> list[Any]:
    """Draft files the draft's answers no longer hold (ids), drafts still open."""
    found: list[Any] = []
    cutoff = now - ORPHAN_GRACE
    drafts = _scoped(
        Draft.objects.filter(
            expires_at__gte=now,
            attachments__application__isnull=True,
            attachments__created_at__lt=cutoff,
        ).distinct(),
        municipality,
    )
    for draft in drafts.only("pk", "answers").iterator(chunk_size=BATCH):
        held = set(attachment_ids_in(draft.answers))
        rows = Attachment.objects.filter(
            draft=draft, application__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)
        found.extend(pk for pk in rows if str(pk) not in held)
    return found


def _stray_files(*, now: datetime, municipality: Municipality | None) -> list[str]:
    """Names in the attachment store that no Attachment row points to (older than the grace)."""
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
    if not storage.exists(ATTACHMENT_DIR):
        return []
    codes = [municipality.code] if municipality is not None else storage.listdir(ATTACHMENT_DIR)[0]
    known = set(Attachment.objects.values_list("file", flat=True))
    cutoff = now - ORPHAN_GRACE
    stray = []
    for code in codes:
        folder = f"{ATTACHMENT_DIR}/{code}"
        if not storage.exists(folder):
            continue
        for name in storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path not in known and storage.get_modified_time(path) < cutoff:
                stray.append(path)
    return stray


def orphans(
    *, now: datetime | None = None, municipality: Municipality | None = None, apply: bool = False
) -> OrphanCounts:
    """Count the orphaned uploads (and expired drafts); with `apply`, delete them."""
    now = now or timezone.now()
    expired = _scoped(Draft.objects.filter(expires_at__lt=now), municipality)
    replaced = _replaced(now=now, municipality=municipality)
    detached = _scoped(
        Attachment.objects.filter(
            draft__isnull=True, application__isnull=True, created_at__lt=now - ORPHAN_GRACE
        ),
        municipality,
    )
    stray = _stray_files(now=now, municipality=municipality)
    counts = OrphanCounts(
        expired_drafts=expired.count(),
        replaced=len(replaced),
        detached=detached.count(),
        stray_files=len(stray),
    )
    if apply:
        with transaction.atomic():
            _purge_attachments(Attachment.objects.filter(draft__in=expired))
            expired.delete()
            _purge_attachments(Attachment.objects.filter(pk__in=replaced))
            _purge_attachments(detached)
        storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
        _delete_files(stray, storage)
    return counts
