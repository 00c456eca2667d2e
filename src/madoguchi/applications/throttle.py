"""Limits of the resident application endpoints (counted by core.ratelimit).

Status look-ups (受付番号 + 確認コード): failures are counted per client and per 受付番号, so a
code can neither be guessed from one address nor from many addresses taking turns. Resume-link
mails are counted per address and per client; stored files per client; the number of files a
draft may hold is capped (APPLICATION_MAX_ATTACHMENTS_PER_DRAFT).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from madoguchi.core import ratelimit

from .codes import normalize_code
from .models import Draft
from .selectors import attachment_ids_in

DEFAULT_MAX_ATTACHMENTS_PER_DRAFT = 20


def _lookup_subjects(request: HttpRequest, receipt_number: str) -> list[tuple[str, str]]:
    subjects = [("applications.lookup.client", ratelimit.client_key(request))]
    receipt = normalize_code(receipt_number)
    if receipt:
        subjects.append(("applications.lookup.target", ratelimit.target_key(f"receipt:{receipt}")))
    return subjects


def lookup_allowed(
    *, municipality_code: str, request: HttpRequest, receipt_number: str = ""
) -> bool:
    return not any(
        ratelimit.exceeded(name, f"{municipality_code}:{subject}")
        for name, subject in _lookup_subjects(request, receipt_number)
    )


def lookup_failed(
    *, municipality_code: str, request: HttpRequest, receipt_number: str = ""
) -> None:
    ratelimit.hit_all(
        (name, f"{municipality_code}:{subject}")
        for name, subject in _lookup_subjects(request, receipt_number)
    )


def lookup_refused_message() -> str:
    return _("確認の回数が上限に達しました。しばらく待ってから、もう一度お試しください。")


def resume_mail_allowed(*, request: HttpRequest, email: str) -> bool:
    """Count one resume-link mail; False when the address or the client has had enough."""
    return ratelimit.hit_all(
        [
            ("applications.resume_mail.address", ratelimit.target_key(f"email:{email}")),
            ("applications.resume_mail.client", ratelimit.client_key(request)),
        ]
    )


def resume_mail_refused_message() -> str:
    return _(
        "このメールアドレスには、続きのリンクを短い時間に何度もお送りしています。"
        "届いたメールをご確認いただくか、しばらく待ってからお試しください。"
    )


@dataclass(frozen=True)
class Refusal:
    message: str
    status: int


def upload_refusal(*, request: HttpRequest, draft: Draft, paths: Collection[str]) -> Refusal | None:
    """Why new files at `paths` cannot be stored for `draft` now, or None (they are counted).

    The cap counts the files the draft's answers hold, a file replaced at the same place not
    twice; replaced files are removed by the retention purge, and no draft keeps more than
    three times the cap in rows meanwhile.
    """
    if not paths:
        return None
    cap = max_attachments_per_draft()
    kept = (
        draft.attachments.filter(pk__in=attachment_ids_in(draft.answers))
        .exclude(field_path__in=paths)
        .count()
    )
    if kept + len(paths) > cap or draft.attachments.count() + len(paths) > 3 * cap:
        return Refusal(
            _(
                "添付できるファイルは1件の申請につき%(cap)s件までです。"
                "不要なファイルを減らすか、1つのPDFにまとめてから添付してください。"
            )
            % {"cap": cap},
            400,
        )
    client = ratelimit.client_key(request)
    if not all([ratelimit.hit("applications.upload.client", client) for _path in paths]):
        return Refusal(ratelimit.refusal_message(), 429)
    return None


def max_attachments_per_draft() -> int:
    return int(
        getattr(
            settings, "APPLICATION_MAX_ATTACHMENTS_PER_DRAFT", DEFAULT_MAX_ATTACHMENTS_PER_DRAFT
        )
    )
