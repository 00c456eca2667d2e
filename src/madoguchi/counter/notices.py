"""The counter's part of other apps' mails (notifications.contexts extensions).

The booking confirmation carries, as a PNG attachment, the QR code of each pre-input this
browser made for a booked procedure. Token mode only: the code holds an opaque token, never an
answer (a payload-mode code would put the answers themselves in a mail). The token texts travel
sealed with the notification and are erased once the mail is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from madoguchi.notifications.contexts import Attachment, Envelope, extension_register

from . import preinput_views
from .preinput import qr
from .services import TOKEN_PREFIX

BOOKING_CONFIRMATION = "reservations/confirmation"
SEALED_KEY = "counter.preinput_qr"


def _gather(request: Any, procedures: Iterable[Any]) -> dict[str, str]:
    texts = preinput_views.token_texts(request, {p.slug for p in procedures})
    return {SEALED_KEY: "\n".join(texts)} if texts else {}


def _extend(envelope: Envelope, sealed: Mapping[str, str]) -> Envelope:
    texts = [t for t in sealed.get(SEALED_KEY, "").split("\n") if t.startswith(TOKEN_PREFIX + ".")]
    if not texts:
        return envelope
    attachments = tuple(
        Attachment(f"preinput-qr-{n}.png", "image/png", qr.png(text))
        for n, text in enumerate(texts, start=1)
    )
    return replace(
        envelope,
        context={**envelope.context, "preinput_qr_count": len(texts)},
        attachments=envelope.attachments + attachments,
    )


extension_register(BOOKING_CONFIRMATION, gather=_gather, extend=_extend)
