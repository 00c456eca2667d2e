"""Counter staff: take in a resident's pre-input (minimal; the full counter mode comes later).

A USB QR scanner in keyboard mode types each code into the scan field and presses Enter, which
submits the form: without JavaScript, the parts of a multi-code payload wait in the session (they
are ciphertext) until every part is there. A photo or scan of the codes can be uploaded instead
and is decoded on the server (zxing-cpp). The answers are shown read-only, audited as personal
data. Turning them into an application belongs to the counter mode.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from madoguchi.accounts.guard import audit_object, staff_required
from madoguchi.accounts.models import StaffUser
from madoguchi.accounts.permissions import PREINPUT_SCAN
from madoguchi.procedures.formdef import summarize
from madoguchi.procedures.selectors import form_version_definition

from . import services
from .preinput import codec, qr
from .preinput.errors import PreInputRefused

PENDING = "counter:scan-parts"
MAX_UPLOAD = 8 * 1024 * 1024
MAX_PENDING = 99


@staff_required(PREINPUT_SCAN, personal_data=True)
def scan(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, StaffUser) and user.municipality is not None
    context: dict[str, Any] = {"error": "", "pending": [], "total": 0, "data": None}
    status = 200
    pending: list[str] = list(request.session.get(PENDING, []))
    if request.method == "POST":
        if request.POST.get("_action") == "reset":
            pending = []
        else:
            try:
                pending = _collect(request, pending)
                data = _redeem_if_complete(user, pending)
            except PreInputRefused as exc:
                if exc.code != "PI-MISSING":
                    pending = []
                    status = 400
                context["error"] = exc.message
            else:
                if data is not None:
                    pending = []
                    context["data"] = data
                    context["sections"] = summarize(
                        form_version_definition(form_version=data.form_version), data.answers
                    )
                    audit_object(
                        request, object_type="counter.preinput", object_id=data.procedure.slug
                    )
        request.session[PENDING] = pending
    if pending:
        parts = [codec.parse_part(p) for p in pending]
        context["pending"] = sorted(p.index for p in parts)
        context["total"] = parts[0].total
    return render(request, "counter/scan.html", context, status=status)


def _collect(request: HttpRequest, pending: list[str]) -> list[str]:
    scanned = services.scanned_lines(request.POST.get("code", ""))
    upload = request.FILES.get("image")
    if upload is not None:
        if upload.size is None or upload.size > MAX_UPLOAD:
            raise PreInputRefused("PI-NOQR")
        scanned += qr.decode_image(upload.read())
    if not scanned:
        raise PreInputRefused("PI-EMPTY")
    tokens = [s for s in scanned if s.startswith(services.TOKEN_PREFIX + ".")]
    if tokens:
        return tokens[:1]
    for text in scanned:
        part = codec.parse_part(text)  # refuses what is not a part
        known = [codec.parse_part(p) for p in pending]
        if known and known[0].message_id != part.message_id:
            raise PreInputRefused("PI-MIXED")
        if all(k.index != part.index for k in known):
            pending.append(text)
    return pending[:MAX_PENDING]


def _redeem_if_complete(user: StaffUser, pending: list[str]) -> services.PreInputData | None:
    assert user.municipality is not None
    if pending and pending[0].startswith(codec.PART_PREFIX + "."):
        codec.join(pending)  # PI-MISSING names what is still to scan
    return services.preinput_redeem(
        municipality=user.municipality, scanned_text="\n".join(pending), redeemed_by=user
    )
