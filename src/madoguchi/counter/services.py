"""書かない窓口 writes and reads: print layouts (checked before they are stored) and pre-input (docs/preinput.md).

No answer value is ever logged: log lines carry codes and ids only."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.applications.creation import serving_visit_ticket
from madoguchi.applications.models import Application, Channel
from madoguchi.applications.services import SubmissionInvalid, application_submit
from madoguchi.core import secrets as keyed
from madoguchi.core import uploads
from madoguchi.core.kana import suggest_kana_reading
from madoguchi.procedures.formdef import (
    FormDefinition,
    fill_from_card,
    parse_definition,
    validate_answers,
)
from madoguchi.procedures.models import FormVersion, LifeEvent, Procedure
from madoguchi.procedures.selectors import form_version_current, form_version_definition
from madoguchi.tenancy.models import Municipality

from . import selectors
from .models import (
    CounterCase,
    CounterEvent,
    CounterStation,
    CounterVisit,
    PreInput,
    PreInputMode,
    PreInputRedemption,
    PreInputSetting,
    PreInputVisit,
    PrintLayout,
)
from .preinput import codec, keys
from .preinput.errors import PreInputRefused
from .print import LayoutError, LayoutSpec, layout_for
from .print.overlay import MAX_BASE_BYTES, parse_placements
from .visit import shared_prefill

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


def without_attachments(value: Any) -> Any:
    """Uploaded files cannot travel in a QR code: the resident brings the documents instead."""
    if isinstance(value, dict):
        if "attachment" in value and "content_type" in value:
            return None
        return {k: without_attachments(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_attachments(v) for v in value]
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
    kept = without_attachments(answers)
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
) -> PreInputData | VisitData:
    """Take in a pre-input at the counter: a token, or the joined parts of a payload; a
    visit's (several procedures, docs/preinput.md) gives a VisitData.

    Refuses (`PreInputRefused`, with a code) anything forged, tampered with, expired, already
    taken in, or made for another municipality. Taking it in consumes it: a second scan of
    the same code is refused, and a token's answers are removed from the server.
    """
    now = now or timezone.now()
    lines = scanned_lines(scanned_text)
    if not lines:
        raise PreInputRefused("PI-EMPTY")
    data: PreInputData | VisitData
    if lines[0].startswith(TOKEN_PREFIX + "."):
        data = _redeem_token(municipality, lines[0], redeemed_by, now)
    elif lines[0].startswith(VISIT_TOKEN_PREFIX + "."):
        data = _redeem_visit_token(municipality, lines[0], redeemed_by, now)
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
) -> PreInputData | VisitData:
    message = codec.join(lines)
    if codec.peek(message).municipality_code != municipality.code:
        raise PreInputRefused("PI-OTHER-TOWN")
    header, answers = codec.open_(message, keys=keys.opening_keys(municipality.code))
    if header.expires_at <= now.timestamp():
        raise PreInputRefused("PI-EXPIRED")
    if header.procedure_slug.startswith(VISIT_MARK):
        return _redeem_visit_payload(municipality, message, header, answers, staff)
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


# --- One visit, several procedures (docs/preinput.md) -------------------------------------------
# A life event pre-filled once: each procedure's answers plus the shared data (applicant by role,
# household) in one pre-input, token or payload as the municipality chose. A payload names a
# visit by "+<life event slug>" where a single pre-input has its procedure's slug (a slug never
# holds "+"), with form version 0.

VISIT_TOKEN_PREFIX = "PV1"  # noqa: S105 - the QR text prefix of a visit's token
VISIT_MARK = "+"


@dataclass(frozen=True)
class VisitItem:
    procedure: Procedure
    form_version: FormVersion
    answers: dict[str, Any]


@dataclass(frozen=True)
class VisitData:
    """A visit taken in at the counter: its procedures' answers and the shared data."""

    life_event: LifeEvent | None
    items: list[VisitItem]
    shared: dict[str, Any]
    mode: str
    expires_at: datetime

    @property
    def procedure(self) -> Procedure:
        return self.items[0].procedure


def _visit_item_json(item: VisitItem) -> dict[str, Any]:
    return {
        "procedure": item.procedure.slug,
        "form_version": item.form_version.number,
        "answers": without_attachments(item.answers),
    }


def visit_preinput_issue(
    *,
    municipality: Municipality,
    life_event: LifeEvent | None,
    items: list[VisitItem],
    shared: dict[str, Any],
    now: datetime | None = None,
) -> PreInputIssued:
    """One pre-input for a visit's procedures, in the municipality's mode."""
    if not items or any(i.procedure.municipality_id != municipality.pk for i in items):
        raise PermissionDenied
    now = now or timezone.now()
    setting = preinput_setting(municipality=municipality)
    expires_at = now + timedelta(days=setting.lifetime_days)
    kept = [_visit_item_json(i) for i in items]
    if setting.mode == PreInputMode.PAYLOAD:
        header = codec.Header(
            municipality_code=municipality.code,
            procedure_slug=VISIT_MARK + (life_event.slug if life_event else ""),
            form_version=0,
            issued_at=int(now.timestamp()),
            expires_at=int(expires_at.timestamp()),
        )
        body = {"items": kept, "shared": shared}
        message = codec.seal(header, body, key=keys.sealing_key(municipality.code))
        texts = codec.split(message)
        logger.info(
            "visit preinput issued mode=payload parts=%d bytes=%d", len(texts), len(message)
        )
        return PreInputIssued(PreInputMode.PAYLOAD, texts, expires_at)
    token = base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode().rstrip("=")
    row = PreInputVisit.objects.create(
        municipality=municipality,
        token_hash=keyed.keyed_hash(token, purpose=TOKEN_PURPOSE),
        life_event=life_event,
        items=kept,
        shared=shared,
        expires_at=expires_at,
    )
    logger.info("visit preinput issued mode=token id=%s procedures=%d", row.pk, len(kept))
    return PreInputIssued(
        PreInputMode.TOKEN, [visit_token_text(municipality, token)], expires_at, token
    )


def visit_preinput_finish(
    *, municipality: Municipality, life_event_slug: str, items: list[dict[str, Any]], shared: Any
) -> PreInputIssued:
    """The resident's visit journey is done: one pre-input for its procedures (items as the
    journey kept them: procedure slug, form version id, answers)."""
    versions = {
        v.pk: v
        for v in FormVersion.objects.select_related("procedure").filter(
            procedure__municipality=municipality, pk__in=[i["form_version"] for i in items]
        )
    }
    found = [
        VisitItem(versions[i["form_version"]].procedure, versions[i["form_version"]], i["answers"])
        for i in items
        if i["form_version"] in versions
    ]
    return visit_preinput_issue(
        municipality=municipality,
        life_event=_life_event(municipality, life_event_slug),
        items=found,
        shared=shared if isinstance(shared, dict) else {},
    )


def visit_token_text(municipality: Municipality, token: str) -> str:
    return f"{VISIT_TOKEN_PREFIX}.{municipality.code}.{token}"


def _visit_rows(municipality: Municipality, token: str) -> Any:
    hashes = keyed.candidate_hashes(token, purpose=TOKEN_PURPOSE)
    return PreInputVisit.objects.for_municipality(municipality).filter(token_hash__in=hashes)


def visit_preinput_for_resident(*, municipality: Municipality, token: str) -> PreInputVisit | None:
    return (
        _visit_rows(municipality, token)
        .filter(consumed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def visit_preinput_items(*, municipality: Municipality, visit: PreInputVisit) -> list[VisitItem]:
    """The procedures and answers of the resident's own token-mode visit (view page); none when
    one of its procedures is gone."""
    try:
        return _visit_items(municipality, visit.items)
    except PreInputRefused:
        return []


def visit_preinput_delete(*, municipality: Municipality, token: str) -> bool:
    deleted, _ = _visit_rows(municipality, token).delete()
    logger.info("visit preinput deleted by resident found=%s", bool(deleted))
    return bool(deleted)


def _visit_items(municipality: Municipality, raw: Any) -> list[VisitItem]:
    """The procedures' form versions of a visit's stored or carried items (PI-PROCEDURE when
    one is gone)."""
    items = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("answers"), dict):
            raise PreInputRefused("PI-FORMAT")
        number = entry.get("form_version")
        form_version = (
            FormVersion.objects.select_related("procedure")
            .filter(
                procedure__municipality=municipality,
                procedure__slug=str(entry.get("procedure", "")),
                number=number if isinstance(number, int) else -1,
            )
            .first()
        )
        if form_version is None:
            raise PreInputRefused("PI-PROCEDURE")
        items.append(VisitItem(form_version.procedure, form_version, entry["answers"]))
    if not items:
        raise PreInputRefused("PI-FORMAT")
    return items


def _life_event(municipality: Municipality, slug: str) -> LifeEvent | None:
    return LifeEvent.objects.for_municipality(municipality).filter(slug=slug).first()


def _redeem_visit_token(
    municipality: Municipality, text: str, staff: StaffUser | None, now: datetime
) -> VisitData:
    _prefix, _, rest = text.partition(".")
    code, _, token = rest.partition(".")
    if code != municipality.code:
        raise PreInputRefused("PI-OTHER-TOWN")
    with transaction.atomic():
        row = _visit_rows(municipality, token).select_for_update().first()
        if row is None:
            raise PreInputRefused("PI-UNKNOWN")
        if row.consumed_at is not None:
            raise PreInputRefused("PI-USED")
        if row.expires_at <= now:
            raise PreInputRefused("PI-EXPIRED")
        items = _visit_items(municipality, row.items)
        data = VisitData(
            _life_event(municipality, row.life_event.slug) if row.life_event else None,
            items,
            row.shared if isinstance(row.shared, dict) else {},
            PreInputMode.TOKEN,
            row.expires_at,
        )
        row.items, row.shared, row.consumed_at = [], {}, now
        row.save(update_fields=["items", "shared", "consumed_at"])
        PreInputRedemption.objects.create(
            municipality=municipality,
            digest=row.token_hash,
            mode=PreInputMode.TOKEN,
            procedure=items[0].procedure,
            redeemed_by=staff,
        )
    return data


def _redeem_visit_payload(
    municipality: Municipality,
    message: bytes,
    header: codec.Header,
    body: dict[str, Any],
    staff: StaffUser | None,
) -> VisitData:
    items = _visit_items(municipality, body.get("items"))
    shared = body.get("shared")
    try:
        with transaction.atomic():
            PreInputRedemption.objects.create(
                municipality=municipality,
                digest=hashlib.sha256(message).hexdigest(),
                mode=PreInputMode.PAYLOAD,
                procedure=items[0].procedure,
                redeemed_by=staff,
            )
    except IntegrityError as exc:
        raise PreInputRefused("PI-USED") from exc
    return VisitData(
        _life_event(municipality, header.procedure_slug[len(VISIT_MARK) :]),
        items,
        shared if isinstance(shared, dict) else {},
        PreInputMode.PAYLOAD,
        datetime.fromtimestamp(header.expires_at, timezone.get_current_timezone()),
    )


# --- Counter mode (窓口モード) ------------------------------------------------------------------
# A CounterCase is one form at the counter: opened from a scanned pre-input or by interview,
# edited and completed by staff (with what they checked against identity documents), confirmed
# by the resident, then created as an application with channel "counter" through the one
# creation path. Every step is a CounterEvent (no personal data) for the insights.

COUNTER_FORM_CHANNEL = "counter"  # the form channel whose fields the counter answers
STATION_TOKEN_PURPOSE = "counter.station-token"  # noqa: S105 - a key purpose
# A card agent may hand off to a form opened or touched this recently at its station...
OPEN_FORM_MINUTES = 30
# ...and staff take the attributes into the form within this time, or they are forgotten.
CARD_HANDOFF_SECONDS = 300
# Where a definition marks no field with `"card": …`, the applicant's own fields by role.
CARD_BY_ROLE = {
    "applicant_name": "name",
    "applicant_birth_date": "birth_date",
    "applicant_address": "address",
}
VERIFIABLE = ("name", "address", "birth_date")


class CaseInvalid(Exception):
    """The answers do not pass the form's validation: errors by field path (Japanese)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid")
        self.errors = errors


class CardHandoffRefused(Exception):
    """A card hand-off the server will not take: `status` 401 (unknown or revoked station) or
    409 (no form open at that station)."""

    def __init__(self, status: int) -> None:
        super().__init__(str(status))
        self.status = status


def counter_event_record(*, case: CounterCase, kind: str, at: datetime | None = None) -> None:
    CounterEvent.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        at=at or timezone.now(),
        procedure_id=case.procedure_id,
        with_preinput=case.with_preinput,
    )


def _visit_ticket_id(staff: StaffUser) -> int | None:
    if staff.municipality_id is None:
        return None
    ticket = serving_visit_ticket(municipality_id=staff.municipality_id, staff_id=staff.pk)
    return ticket.id if ticket is not None else None


def counter_case_open(
    *,
    staff: StaffUser,
    procedure: Procedure,
    form_version: FormVersion,
    answers: dict[str, Any] | None = None,
    source: str = CounterCase.Source.INTERVIEW,
    station: CounterStation | None = None,
    visit: CounterVisit | None = None,
) -> CounterCase:
    """Open a form at the counter, linked to the visit ticket the clerk is serving (if any;
    a case issued from a scanned visit keeps the visit's ticket)."""
    assert staff.municipality is not None
    if procedure.municipality_id != staff.municipality_id:
        raise PermissionDenied
    if station is not None and station.municipality_id != staff.municipality_id:
        station = None
    with transaction.atomic():
        case = CounterCase.objects.create(
            municipality=staff.municipality,
            procedure=procedure,
            form_version=form_version,
            source=source,
            answers=answers or {},
            staff=staff,
            station=station,
            visit=visit,
            visit_ticket_id=visit.visit_ticket_id if visit else _visit_ticket_id(staff),
        )
        kind = (
            CounterEvent.Kind.OPENED
            if source == CounterCase.Source.INTERVIEW
            else CounterEvent.Kind.SCAN
        )
        counter_event_record(case=case, kind=kind)
    logger.info("counter case opened id=%s source=%s", case.pk, source)
    return case


def counter_case_from_preinput(
    *, staff: StaffUser, data: PreInputData, station: CounterStation | None = None
) -> CounterCase:
    source = (
        CounterCase.Source.PREINPUT_PAYLOAD
        if data.mode == PreInputMode.PAYLOAD
        else CounterCase.Source.PREINPUT_TOKEN
    )
    return counter_case_open(
        staff=staff,
        procedure=data.procedure,
        form_version=data.form_version,
        answers=data.answers,
        source=source,
        station=station,
    )


def counter_case_save(*, case: CounterCase, answers: dict[str, Any]) -> CounterCase:
    """Keep what staff have entered so far (no validation: a form in progress)."""
    if case.status not in (CounterCase.Status.EDITING, CounterCase.Status.CONFIRMING):
        raise PermissionDenied
    case.answers = answers
    case.status = CounterCase.Status.EDITING
    case.save(update_fields=["answers", "status", "updated_at"])
    return case


def identity_note(*, document: str, verified_fields: list[str]) -> str:
    """The internal note of what staff checked (names of things, never their values)."""
    labels = {"name": "氏名", "address": "住所", "birth_date": "生年月日"}
    document_label = str(CounterCase.IdentityDocument(document).label) if document else "なし"
    checked = "・".join(labels[f] for f in VERIFIABLE if f in verified_fields) or "なし"
    return f"窓口で受付。本人確認：{document_label}（照合：{checked}）"


def counter_case_complete(
    *,
    case: CounterCase,
    answers: dict[str, Any],
    identity_document: str,
    verified_fields: list[str],
) -> CounterCase:
    """Staff have checked and completed the form: validate it as the counter channel does and
    hand it to the resident for confirmation. CaseInvalid (errors by path) otherwise."""
    if case.status not in (CounterCase.Status.EDITING, CounterCase.Status.CONFIRMING):
        raise PermissionDenied
    definition = form_version_definition(form_version=case.form_version)
    cleaned, errors = validate_answers(definition, answers, channel=COUNTER_FORM_CHANNEL)
    errors = dict(errors)
    if identity_document not in CounterCase.IdentityDocument.values:
        errors["_identity_document"] = [str(_("本人確認に使った書類を選んでください。"))]
    if errors:
        case.answers = answers
        case.save(update_fields=["answers", "updated_at"])
        raise CaseInvalid(errors)
    case.answers = cleaned
    case.identity_document = identity_document
    case.verified_fields = [f for f in VERIFIABLE if f in verified_fields]
    case.status = CounterCase.Status.CONFIRMING
    case.save()
    counter_event_record(case=case, kind=CounterEvent.Kind.COMPLETED)
    return case


@dataclass(frozen=True)
class CaseConfirmed:
    case: CounterCase
    application: Application
    access_code: str


def counter_case_confirm(*, case: CounterCase) -> CaseConfirmed:
    """The resident confirmed: the application (channel "counter") through the one creation
    path; the case keeps only the link, not the answers."""
    with transaction.atomic():
        locked = CounterCase.objects.select_for_update().get(
            pk=case.pk, municipality_id=case.municipality_id
        )
        if locked.status == CounterCase.Status.COMPLETED and locked.application is not None:
            return CaseConfirmed(locked, locked.application, "")
        if locked.status != CounterCase.Status.CONFIRMING:
            raise PermissionDenied
        try:
            submitted = application_submit(
                municipality=locked.municipality,
                procedure=locked.procedure,
                form_version=locked.form_version,
                raw_answers=locked.answers,
                channel=Channel.COUNTER,
                visit_ticket_id=locked.visit_ticket_id,
                note=identity_note(
                    document=locked.identity_document, verified_fields=locked.verified_fields
                ),
            )
        except SubmissionInvalid as exc:
            raise CaseInvalid(exc.errors) from exc
        locked.application = submitted.application
        locked.status = CounterCase.Status.COMPLETED
        locked.answers = {}
        locked.card_attributes = None
        locked.save()
        counter_event_record(case=locked, kind=CounterEvent.Kind.CONFIRMED)
    logger.info("counter case confirmed id=%s application=%s", locked.pk, submitted.application.pk)
    return CaseConfirmed(locked, submitted.application, submitted.access_code)


def counter_case_abandon(*, case: CounterCase) -> None:
    if case.status in (CounterCase.Status.EDITING, CounterCase.Status.CONFIRMING):
        case.status = CounterCase.Status.ABANDONED
        case.answers = {}
        case.card_attributes = None
        case.save()
        counter_event_record(case=case, kind=CounterEvent.Kind.ABANDONED)


def counter_print_record(*, application: Application) -> None:
    """The application taken at the counter was printed for signature (a timing event)."""
    case = (
        CounterCase.objects.filter(
            municipality_id=application.municipality_id, application=application
        )
        .order_by("-pk")
        .first()
    )
    if case is not None:
        counter_event_record(case=case, kind=CounterEvent.Kind.PRINTED)


# -- The card agent's hand-off --


def counter_station_issue(*, municipality: Municipality, name: str) -> tuple[CounterStation, str]:
    """A new counter station and its token (shown once; only the keyed hash is stored)."""
    token = secrets.token_urlsafe(32)
    station = CounterStation.objects.create(
        municipality=municipality,
        name=name,
        token_hash=keyed.keyed_hash(token, purpose=STATION_TOKEN_PURPOSE),
    )
    return station, token


def counter_station_for_token(token: str) -> CounterStation | None:
    if not token or len(token) > 200:
        return None
    hashes = keyed.candidate_hashes(token, purpose=STATION_TOKEN_PURPOSE)
    return (
        CounterStation.objects.filter(token_hash__in=hashes, revoked_at__isnull=True)
        .select_related("municipality")
        .first()
    )


def card_attributes_clean(raw: Any) -> dict[str, str]:
    """The four card-face attributes as strings; anything else is dropped."""
    if not isinstance(raw, dict):
        return {}
    kept = {}
    for key in ("name", "address", "birth_date", "sex"):
        value = raw.get(key)
        if isinstance(value, str) and value.strip() and len(value) <= 400:
            kept[key] = value.strip()
    return kept


def counter_card_handoff(
    *, token: str, attributes: Any, now: datetime | None = None
) -> CounterCase:
    """The agent's POST: attach the attributes to the form open at the token's station.

    Refused (CardHandoffRefused) for an unknown or revoked token (401) and when no form is
    open at that station (409). The attributes wait on the case for staff to take them in.
    """
    now = now or timezone.now()
    station = counter_station_for_token(token)
    if station is None:
        raise CardHandoffRefused(401)
    kept = card_attributes_clean(attributes)
    with transaction.atomic():
        case = (
            CounterCase.objects.select_for_update()
            .filter(
                municipality_id=station.municipality_id,
                station=station,
                status=CounterCase.Status.EDITING,
                updated_at__gte=now - timedelta(minutes=OPEN_FORM_MINUTES),
            )
            .order_by("-updated_at")
            .first()
        )
        if case is None or not kept:
            raise CardHandoffRefused(409)
        case.card_attributes = kept
        case.card_received_at = now
        case.save(update_fields=["card_attributes", "card_received_at"])
        counter_event_record(case=case, kind=CounterEvent.Kind.CARD_READ, at=now)
    logger.info("card hand-off station=%s case=%s", station.pk, case.pk)
    return case


def card_fill(definition: FormDefinition, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Raw answers from the card: fields marked `"card": …`, else the applicant's own fields
    by role; a name gets a suggested kana reading for staff to confirm."""
    filled = fill_from_card(definition, attributes)
    if not filled:
        for role, attribute in CARD_BY_ROLE.items():
            f = definition.field_by_role(role)
            if f is None:
                continue
            value = f.kind.fill_from_card(dataclasses.replace(f, card=attribute), attributes)
            if value is not None:
                filled[f.key] = value
    for value in filled.values():
        if isinstance(value, dict) and "family_kana" in value:
            for part in ("family", "given"):
                if value.get(part) and not value.get(f"{part}_kana"):
                    value[f"{part}_kana"] = suggest_kana_reading(value[part]) or ""
    return filled


def counter_card_take(*, case: CounterCase, now: datetime | None = None) -> list[str]:
    """Staff take the waiting card attributes into the form; the keys of the fields filled
    (empty when there is nothing recent). The attributes are then forgotten."""
    now = now or timezone.now()
    attributes = case.card_attributes
    received = case.card_received_at
    case.card_attributes = None
    case.card_received_at = None
    if (
        not attributes
        or received is None
        or received < now - timedelta(seconds=CARD_HANDOFF_SECONDS)
    ):
        case.save(update_fields=["card_attributes", "card_received_at"])
        return []
    definition = form_version_definition(form_version=case.form_version)
    filled = card_fill(definition, attributes)
    case.answers = {**case.answers, **filled}
    if not case.identity_document:
        # Read with the resident's PIN (or 照合番号B from the card face): the card was checked,
        # and what came from it is the card's own data.
        case.identity_document = CounterCase.IdentityDocument.MY_NUMBER_CARD
    if case.identity_document == CounterCase.IdentityDocument.MY_NUMBER_CARD:
        from_card = {a for a in VERIFIABLE if a in attributes}
        case.verified_fields = [
            f for f in VERIFIABLE if f in from_card or f in case.verified_fields
        ]
    case.save()
    return sorted(filled)


def counter_prune(*, now: datetime | None = None) -> int:
    """Forget card attributes nobody took in, and drop stale unfinished cases (a day old)."""
    now = now or timezone.now()
    CounterCase.objects.filter(
        card_received_at__lt=now - timedelta(seconds=CARD_HANDOFF_SECONDS)
    ).update(card_attributes=None, card_received_at=None)
    stale = CounterCase.objects.filter(
        status__in=[CounterCase.Status.EDITING, CounterCase.Status.CONFIRMING],
        updated_at__lt=now - timedelta(days=1),
    )
    count = 0
    for case in stale:
        counter_case_abandon(case=case)
        count += 1
    return count


# -- A visit at the counter (one scan, several procedures) --


def _source(mode: str) -> str:
    if mode == PreInputMode.PAYLOAD:
        return CounterCase.Source.PREINPUT_PAYLOAD
    return CounterCase.Source.PREINPUT_TOKEN


def counter_visit_open(
    *, staff: StaffUser, data: VisitData, station: CounterStation | None = None
) -> CounterVisit:
    """A scanned visit waits for staff to tick which procedures to issue (linked to the visit
    ticket the clerk is serving)."""
    assert staff.municipality is not None
    if station is not None and station.municipality_id != staff.municipality_id:
        station = None
    visit = CounterVisit.objects.create(
        municipality=staff.municipality,
        life_event=data.life_event,
        source=_source(data.mode),
        items=[
            {"procedure": i.procedure.slug, "form_version": i.form_version.pk, "answers": i.answers}
            for i in data.items
        ],
        shared=data.shared,
        staff=staff,
        station=station,
        visit_ticket_id=_visit_ticket_id(staff),
    )
    logger.info("counter visit opened id=%s procedures=%d", visit.pk, len(data.items))
    return visit


def counter_visit_issue(
    *, visit: CounterVisit, staff: StaffUser, slugs: list[str], today: date | None = None
) -> list[CounterCase]:
    """Each ticked procedure (pre-filled or suggested) becomes its own counter case, pre-filled
    from the shared data with its own answers on top; the visit then forgets the data."""
    today = today or timezone.localdate()
    if visit.status != CounterVisit.Status.OPEN or staff.municipality_id != visit.municipality_id:
        raise PermissionDenied
    items = {i["procedure"]: i for i in visit.items}
    suggested = [s.procedure for s in selectors.counter_visit_suggestions(visit=visit, today=today)]
    chosen = [slug for slug in [*items, *suggested] if slug in slugs]
    cases = []
    with transaction.atomic():
        for slug in chosen:
            procedure = Procedure.objects.for_municipality(visit.municipality).get(slug=slug)
            item = items.get(slug)
            form_version = (
                FormVersion.objects.get(procedure=procedure, pk=item["form_version"])
                if item
                else form_version_current(procedure=procedure)
            )
            definition = form_version_definition(form_version=form_version)
            answers = {
                **shared_prefill(definition, slug, visit.shared, today=today),
                **(item["answers"] if item else {}),
            }
            cases.append(
                counter_case_open(
                    staff=staff,
                    procedure=procedure,
                    form_version=form_version,
                    answers=answers,
                    source=visit.source,
                    station=visit.station,
                    visit=visit,
                )
            )
        if cases:
            visit.items, visit.shared = [], {}
            visit.status = CounterVisit.Status.ISSUED
            visit.save(update_fields=["items", "shared", "status"])
    logger.info("counter visit issued id=%s cases=%d", visit.pk, len(cases))
    return cases
