"""書かない窓口 writes and reads: print layouts (checked before they are stored) and pre-input (docs/preinput.md).

No answer value is ever logged: log lines carry codes and ids only."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.accounts.models import StaffUser
from madoguchi.core import secrets as keyed
from madoguchi.core import uploads
from madoguchi.procedures.formdef import FormDefinition, parse_definition
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.models import Municipality

from .models import PreInput, PreInputMode, PreInputRedemption, PreInputSetting, PrintLayout
from .preinput import codec, keys
from .preinput.errors import PreInputRefused
from .print import LayoutError, LayoutSpec, layout_for
from .print.overlay import MAX_BASE_BYTES, parse_placements

# Keys every layout may place besides the form's own fields (PrintDocument.values()).
HEADER_KEYS = frozenset(
    {"_municipality", "_procedure", "_receipt_number", "_printed_on", "_submitted_on"}
)


def _field_keys(definition: FormDefinition) -> set[str]:
    return {f.key for f in definition.top_fields()}


def placement_keys_check(*, placements: Any, definition: FormDefinition | None) -> None:
    """Refuse placements naming a field the procedure's form does not have."""
    if definition is None:
        return
    known = _field_keys(definition)
    unknown = sorted(
        {
            p.key
            for p in parse_placements(placements)
            if p.key not in HEADER_KEYS and p.key.split(".")[0] not in known
        }
    )
    if unknown:
        raise LayoutError("様式にない項目が指定されています：" + "、".join(unknown[:10]))


def read_uploaded_pdf(upload: File[Any]) -> bytes:
    try:
        uploads.validate_attachment(upload, allowed={uploads.PDF}, max_bytes=MAX_BASE_BYTES)
    except ValidationError as exc:
        raise LayoutError(" ".join(str(m) for m in exc.messages)) from None
    upload.seek(0)
    return upload.read()


def print_layout_validate(
    *, procedure: Procedure, kind: str, placements: Any, base_pdf: bytes | None
) -> None:
    """Raise LayoutError (Japanese) if this layout cannot print the procedure's form."""
    layout_for(kind).check(LayoutSpec(kind=kind, placements=placements, base_pdf=base_pdf))
    if kind == PrintLayout.Kind.OVERLAY:
        version = procedure.current_version
        definition = parse_definition(version.definition) if version is not None else None
        placement_keys_check(placements=placements, definition=definition)


def stored_base_pdf(layout: PrintLayout | None) -> bytes | None:
    if layout is None or not layout.base_pdf:
        return None
    with layout.base_pdf.open("rb") as handle:
        return handle.read()


@transaction.atomic
def print_layout_save(
    *,
    procedure: Procedure,
    kind: str,
    placements: Any = None,
    base_pdf: File[Any] | None = None,
) -> PrintLayout:
    """Create or replace the procedure's layout; LayoutError (Japanese) when it cannot print.

    An overlay without a new PDF keeps the one stored before."""
    layout = (
        PrintLayout.objects.for_municipality(procedure.municipality)
        .select_for_update()
        .filter(procedure=procedure)
        .first()
    ) or PrintLayout(municipality=procedure.municipality, procedure=procedure)
    pdf_bytes = read_uploaded_pdf(base_pdf) if base_pdf is not None else stored_base_pdf(layout)
    placements = placements if kind == PrintLayout.Kind.OVERLAY else {}
    print_layout_validate(procedure=procedure, kind=kind, placements=placements, base_pdf=pdf_bytes)
    layout.kind = kind
    layout.placements = placements
    if base_pdf is not None and pdf_bytes is not None:
        layout.base_pdf.save("form.pdf", ContentFile(pdf_bytes), save=False)
    layout.full_clean()
    layout.save()
    return layout


logger = logging.getLogger(__name__)

TOKEN_PREFIX = "PT1"  # noqa: S105 - the QR text prefix
TOKEN_BYTES = 20  # 160 bits
TOKEN_PURPOSE = "counter.preinput-token"  # noqa: S105 - a key purpose


@dataclass(frozen=True)
class PreInputIssued:
    mode: str
    qr_texts: list[str]  # one text per QR code
    expires_at: datetime
    token: str = ""  # token mode: what the resident's view/delete link needs


@dataclass(frozen=True)
class PreInputData:
    procedure: Procedure
    form_version: FormVersion
    answers: dict[str, Any]
    mode: str
    issued_at: datetime | None
    expires_at: datetime


def preinput_setting(*, municipality: Municipality) -> PreInputSetting:
    """The municipality's setting (unsaved default: token mode, 14 days, when it has no row)."""
    found = PreInputSetting.objects.for_municipality(municipality).first()
    return found or PreInputSetting(municipality=municipality)


def _without_attachments(value: Any) -> Any:
    """Uploaded files cannot travel in a QR code: the resident brings the documents instead."""
    if isinstance(value, dict):
        if "attachment" in value and "content_type" in value:
            return None
        return {k: _without_attachments(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_attachments(v) for v in value]
    return value


def token_text(municipality: Municipality, token: str) -> str:
    """What a token-mode QR code carries: prefix, municipality code, token (no personal data)."""
    return f"{TOKEN_PREFIX}.{municipality.code}.{token}"


def preinput_issue(
    *,
    procedure: Procedure,
    form_version: FormVersion,
    answers: dict[str, Any],
    now: datetime | None = None,
) -> PreInputIssued:
    """A pre-input in the municipality's mode: a token row, or the sealed payload's QR texts."""
    now = now or timezone.now()
    municipality = procedure.municipality
    setting = preinput_setting(municipality=municipality)
    expires_at = now + timedelta(days=setting.lifetime_days)
    kept = _without_attachments(answers)
    if setting.mode == PreInputMode.PAYLOAD:
        header = codec.Header(
            municipality_code=municipality.code,
            procedure_slug=procedure.slug,
            form_version=form_version.number,
            issued_at=int(now.timestamp()),
            expires_at=int(expires_at.timestamp()),
        )
        message = codec.seal(header, kept, key=keys.sealing_key(municipality.code))
        texts = codec.split(message)
        logger.info("preinput issued mode=payload parts=%d bytes=%d", len(texts), len(message))
        return PreInputIssued(PreInputMode.PAYLOAD, texts, expires_at)
    # base32 keeps the token in the QR alphanumeric set and types cleanly through a scanner.
    token = base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode().rstrip("=")
    row = PreInput.objects.create(
        municipality=municipality,
        token_hash=keyed.keyed_hash(token, purpose=TOKEN_PURPOSE),
        procedure=procedure,
        form_version=form_version,
        answers=kept,
        expires_at=expires_at,
    )
    logger.info("preinput issued mode=token id=%s", row.pk)
    return PreInputIssued(PreInputMode.TOKEN, [token_text(municipality, token)], expires_at, token)


def _token_rows(municipality: Municipality, token: str) -> Any:
    hashes = keyed.candidate_hashes(token, purpose=TOKEN_PURPOSE)
    return PreInput.objects.for_municipality(municipality).filter(token_hash__in=hashes)


def preinput_for_resident(*, municipality: Municipality, token: str) -> PreInput | None:
    """The resident's own token-mode pre-input (view page); None once consumed or expired."""
    return (
        _token_rows(municipality, token)
        .filter(consumed_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("procedure", "form_version")
        .first()
    )


def preinput_delete(*, municipality: Municipality, token: str) -> bool:
    """The resident deletes their token-mode pre-input; whether there was one."""
    deleted, _ = _token_rows(municipality, token).delete()
    logger.info("preinput deleted by resident found=%s", bool(deleted))
    return bool(deleted)


def preinput_prune(*, now: datetime | None = None) -> int:
    """Remove expired and consumed pre-inputs (and redemption marks past any payload's life)."""
    now = now or timezone.now()
    deleted, _ = PreInput.objects.filter(expires_at__lte=now).delete()
    consumed, _ = PreInput.objects.filter(consumed_at__isnull=False).delete()
    PreInputRedemption.objects.filter(redeemed_at__lte=now - timedelta(days=120)).delete()
    return deleted + consumed


def scanned_lines(scanned_text: str) -> list[str]:
    """What a keyboard-wedge scanner typed: one code per line (Enter after each)."""
    return [line.strip() for line in scanned_text.replace("\r", "\n").split("\n") if line.strip()]


def preinput_redeem(
    *,
    municipality: Municipality,
    scanned_text: str,
    redeemed_by: StaffUser | None = None,
    now: datetime | None = None,
) -> PreInputData:
    """Take in a pre-input at the counter: a token, or the joined parts of a payload.

    Refuses (`PreInputRefused`, with a code) anything forged, tampered with, expired, already
    taken in, or made for another municipality. Taking it in consumes it: a second scan of
    the same code is refused, and a token's answers are removed from the server.
    """
    now = now or timezone.now()
    lines = scanned_lines(scanned_text)
    if not lines:
        raise PreInputRefused("PI-EMPTY")
    if lines[0].startswith(TOKEN_PREFIX + "."):
        data = _redeem_token(municipality, lines[0], redeemed_by, now)
    elif all(line.startswith(codec.PART_PREFIX + ".") for line in lines):
        data = _redeem_payload(municipality, lines, redeemed_by, now)
    else:
        raise PreInputRefused("PI-FORMAT")
    logger.info("preinput redeemed mode=%s procedure=%s", data.mode, data.procedure.pk)
    return data


def _redeem_token(
    municipality: Municipality, text: str, staff: StaffUser | None, now: datetime
) -> PreInputData:
    _prefix, _, rest = text.partition(".")
    code, _, token = rest.partition(".")
    if code != municipality.code:
        raise PreInputRefused("PI-OTHER-TOWN")
    with transaction.atomic():
        row = (
            _token_rows(municipality, token)
            .select_for_update()
            .select_related("procedure", "form_version")
            .first()
        )
        if row is None:
            raise PreInputRefused("PI-UNKNOWN")
        if row.consumed_at is not None:
            raise PreInputRefused("PI-USED")
        if row.expires_at <= now:
            raise PreInputRefused("PI-EXPIRED")
        answers = row.answers
        row.answers, row.consumed_at = {}, now
        row.save(update_fields=["answers", "consumed_at"])
        PreInputRedemption.objects.create(
            municipality=municipality,
            digest=row.token_hash,
            mode=PreInputMode.TOKEN,
            procedure=row.procedure,
            redeemed_by=staff,
        )
    return PreInputData(
        row.procedure, row.form_version, answers, PreInputMode.TOKEN, row.created_at, row.expires_at
    )


def _redeem_payload(
    municipality: Municipality, lines: list[str], staff: StaffUser | None, now: datetime
) -> PreInputData:
    message = codec.join(lines)
    if codec.peek(message).municipality_code != municipality.code:
        raise PreInputRefused("PI-OTHER-TOWN")
    header, answers = codec.open_(message, keys=keys.opening_keys(municipality.code))
    if header.expires_at <= now.timestamp():
        raise PreInputRefused("PI-EXPIRED")
    form_version = (
        FormVersion.objects.select_related("procedure")
        .filter(
            procedure__municipality=municipality,
            procedure__slug=header.procedure_slug,
            number=header.form_version,
        )
        .first()
    )
    if form_version is None:
        raise PreInputRefused("PI-PROCEDURE")
    try:
        with transaction.atomic():
            PreInputRedemption.objects.create(
                municipality=municipality,
                digest=hashlib.sha256(message).hexdigest(),
                mode=PreInputMode.PAYLOAD,
                procedure=form_version.procedure,
                redeemed_by=staff,
            )
    except IntegrityError as exc:
        raise PreInputRefused("PI-USED") from exc
    tz = timezone.get_current_timezone()
    return PreInputData(
        form_version.procedure,
        form_version,
        answers,
        PreInputMode.PAYLOAD,
        datetime.fromtimestamp(header.issued_at, tz),
        datetime.fromtimestamp(header.expires_at, tz),
    )
