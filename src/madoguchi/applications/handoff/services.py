"""Hand-off writes: mark an application handed off, issue API tokens, run a CSV export."""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction
from madoguchi.core.secrets import keyed_hash, matches
from madoguchi.jobs.models import Job
from madoguchi.jobs.services import Progress, job_attach_result, job_create, job_enqueue
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality

from ..models import Application, HandoffMethod
from . import csv_export
from .models import ApiToken, ExportRun, HandoffRecord, Scope

TOKEN_PREFIX = "mgk_"  # noqa: S105 — a public marker, not a secret


class HandoffRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def application_mark_handed_off(
    *,
    application: Application,
    method: str,
    actor: Any = None,
    token: ApiToken | None = None,
) -> Application:
    """Record one hand-off (連携済, when, how). Not a workflow change, so no version bump."""
    if method not in HandoffMethod.values:
        raise HandoffRefused(_("連携方法が正しくありません。"))
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.purged_at is not None:
        raise HandoffRefused(_("保存期間が過ぎて個人情報を削除した申請は連携できません。"))
    now = timezone.now()
    HandoffRecord.objects.create(
        application=current,
        method=method,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        token=token,
    )
    if current.handed_off_at is None:
        Application.objects.filter(pk=current.pk).update(handed_off_at=now, handoff_method=method)
        current.handed_off_at, current.handoff_method = now, method
    return current


# --- API tokens ------------------------------------------------------------------------------


_API_TOKEN = "applications.api-token"  # noqa: S105 (a purpose, not a secret)


def _hash(secret: str) -> str:
    return keyed_hash(secret, purpose=_API_TOKEN)


def _legacy_hash(secret: str) -> str:
    # Tokens made before core.secrets: a plain SHA-256 (verified, never written).
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *,
    municipality: Municipality,
    name: str,
    scopes: Iterable[str],
    created_by: Any = None,
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is kept."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in Scope.values]
    if not scopes or unknown:
        raise HandoffRefused(
            _("権限は次から選んでください：%(scopes)s") % {"scopes": ", ".join(Scope.values)}
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        municipality=municipality,
        name=name[:80],
        prefix=prefix,
        token_hash=_hash(secret),
        scopes=scopes,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def api_token_check(raw: str) -> ApiToken | None:
    """The live token for a presented secret, or None (constant-time comparison)."""
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix, _sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = (
        ApiToken.objects.select_related("municipality")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not matches(
        secret, token.token_hash, purpose=_API_TOKEN, legacy=[_legacy_hash]
    ):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- Bulk CSV export -------------------------------------------------------------------------

EXPORT_JOB_KIND = "applications.export"
_EXPORT_CHUNK_ROWS = 500


def export_stream_limit() -> int:
    """Exports of more applications than this are written by a background job."""
    return int(getattr(settings, "EXPORT_STREAM_MAX_ROWS", 2000))


def export_file_work(job: Job, progress: Progress) -> None:
    """The job's work: write the run's CSV file (again, from the start, when resumed)."""
    run = ExportRun.objects.for_municipality(job.municipality).get(pk=int(job.subject_id))
    progress.advance(done=0, total=run.count)
    written = 0
    with tempfile.TemporaryFile() as out:
        for chunk in csv_export.stream(run, chunk_rows=_EXPORT_CHUNK_ROWS):
            out.write(chunk)
            written = min(written + _EXPORT_CHUNK_ROWS, run.count)
            progress.advance(done=written)
        out.seek(0)
        job_attach_result(job=job, content=File(out), name=csv_export.filename(run))
    progress.advance(done=run.count)


@transaction.atomic
def export_start(
    *,
    actor: Any,
    procedure: Procedure,
    applications: Any,
    encoding: str,
    only_new: bool,
    substitute: bool,
) -> ExportRun | None:
    """Mark the selected applications as in a new export run (atomically); None if none.

    Marking first and then streaming what is marked means the file holds exactly what is
    recorded as exported, even when applications arrive during the download.
    """
    now = timezone.now()
    run = ExportRun.objects.create(
        municipality=procedure.municipality,
        procedure=procedure,
        encoding=encoding,
        only_new=only_new,
        substitute=substitute,
        at=now,
        actor=actor,
    )
    count = applications.update(export_run=run)
    if count == 0:
        transaction.set_rollback(True)
        return None
    Application.objects.filter(export_run=run, handed_off_at__isnull=True).update(
        handed_off_at=now, handoff_method=HandoffMethod.CSV
    )
    ExportRun.objects.filter(pk=run.pk).update(count=count)
    run.count = count
    if count > export_stream_limit():
        # Too large to write while the request waits: a background job writes the file, the
        # staff member downloads it from the run's page when it is ready.
        job = job_create(
            kind=EXPORT_JOB_KIND,
            municipality=procedure.municipality,
            started_by=actor,
            total=count,
            subject_id=run.pk,
        )
        job_enqueue(job=job)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        municipality=procedure.municipality,
        obj=run,
        count=count,
    )
    return run
