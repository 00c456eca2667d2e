"""The one way an application comes into being, whatever its channel.

Every channel — the online journey and the API (`services.application_submit`), the counter
(staff entering or completing a resident's form, optionally for a visit ticket) and bulk intake
of external bundles (`intake`) — describes the new application as plain dataclasses
(`NewApplication`, `ApplicantData`, `NewAttachment`) after validating its answers against the
exact form version, and hands them here. This module writes the application row, its SUBMITTED
history event and its attachment rows, and queues the receipt mail where the resident was given
an access code. Nothing else in the code base inserts an Application.

Two forms:
- `application_create(new)`: one application, in its own (or the caller's) transaction.
- `applications_create_batch(news)`: many at once for bulk intake, in the caller's transaction:
  COPY on PostgreSQL (primary keys drawn from the sequence first), `bulk_create` elsewhere.

Idempotency stays with the callers, which know their keys: intake by 受付番号 (a given
`receipt_number`, unique per municipality), the online journey by its Draft row and the API by
its Idempotency-Key (`idempotency_key_hash`, unique per municipality).
"""

from __future__ import annotations

import json
import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules

from madoguchi.notifications.services import notification_queue
from madoguchi.procedures.formdef import FeeQuote, fee_quote
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.procedures.selectors import form_version_definition

from . import codes
from .deadlines import due_on_for
from .models import Application, ApplicationEvent, Attachment, Channel, Status
from .payments.models import Payment, PaymentEvent
from .payments.services import payment_rows
from .search import search_key_for

# The mail queued for a new application with an access code (rendered at send time, notices.py).
RECEIPT = "applications/receipt"

CHANNELS = frozenset(Channel.values)


class JsonText(str):
    """A JSON document already serialised (e.g. by the worker that validated it), for a
    JSONField column: written as is by COPY, parsed once where Django needs the object."""


@dataclass(frozen=True)
class ApplicantData:
    """Who applied, as the inbox lists and searches them (from the form's roles or the bundle)."""

    name: str = ""
    kana: str = ""
    email: str = ""


@dataclass(frozen=True)
class NewAttachment:
    """A file already in the private store (bulk intake writes it before the transaction)."""

    id: uuid.UUID
    field_path: str
    file: str  # the storage name
    original_name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class NewApplication:
    """Everything an application is created from; answers already validated for the version."""

    municipality_id: int
    procedure_id: int
    form_version_id: int
    channel: str  # Channel: online, api, counter, bundle (bulk)
    answers: Mapping[str, Any] | JsonText
    applicant: ApplicantData = ApplicantData()
    submitted_at: datetime | None = None  # default: now
    # Given by an external system (the portal's 受付番号, kept as ours), else issued here.
    receipt_number: str = ""
    # Shown to the resident once; only its salted hash is stored. "" for none (bundles: the
    # resident follows the application on the portal), and then no receipt mail either.
    access_code: str = ""
    language: str = "ja"
    easy_japanese: bool = False
    idempotency_key_hash: str = ""
    request_digest: str = ""
    # The counter's visit (reservations' ticket id), when the application was made at one.
    visit_ticket_id: int | None = None
    # Internal note on the SUBMITTED history event ("外部連携で受け付けました（取込 #12）").
    note: str = ""
    # Attachments: new rows for files already stored, and existing rows (uploaded to a draft)
    # that now belong to the application.
    attachments: Sequence[NewAttachment] = ()
    linked_attachment_ids: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")


def application_create(new: NewApplication) -> Application:
    """Create one application with its history event, attachments and payment record (when the
    form charges a fee); queue the receipt mail.

    Raises IntegrityError when the receipt number (given or drawn) or the idempotency key is
    taken: the caller decides whether that is a duplicate, a retry or a new draw.
    """
    now = timezone.now()
    submitted_at = new.submitted_at or now
    days = _standard_days([new])
    quotes = _fee_quotes([new])
    with transaction.atomic():
        application = Application(**_application_row(new, submitted_at, now, days))
        application.save(force_insert=True)
        ApplicationEvent.objects.create(**_event_row(new, application.pk, submitted_at))
        _create_payments([(new, application.pk, quotes[0])], now)
        if new.attachments:
            Attachment.objects.bulk_create(
                [Attachment(**_attachment_row(new, a, application.pk)) for a in new.attachments]
            )
        if new.linked_attachment_ids:
            Attachment.objects.filter(
                pk__in=list(new.linked_attachment_ids), municipality_id=new.municipality_id
            ).update(application=application, draft=None)
        if new.access_code and application.contact_email:
            notification_queue(
                municipality=application.municipality,
                template=RECEIPT,
                reference=application.pk,
                language=new.language,
                sealed={"access_code": new.access_code},
            )
    return application


def applications_create_batch(news: Sequence[NewApplication]) -> list[int]:
    """Insert many applications, their events and attachment rows; their primary keys, in order.

    For bulk intake: runs in the caller's transaction (all or nothing with the caller's own rows,
    e.g. intake records), sends no mail and links no draft attachments. On PostgreSQL the rows
    go by COPY, the cheapest way in; elsewhere by bulk_create.
    """
    if not news:
        return []
    if any(n.linked_attachment_ids or n.access_code for n in news):
        raise ValueError("batch creation takes no draft attachments and issues no access codes")
    now = timezone.now()
    days = _standard_days(news)
    rows = [_application_row(n, n.submitted_at or now, now, days) for n in news]
    ids = _insert_applications(rows)
    copy_rows(
        ApplicationEvent,
        [_event_row(n, pk, n.submitted_at or now) for n, pk in zip(news, ids, strict=True)],
    )
    copy_rows(
        Attachment,
        [_attachment_row(n, a, pk) for n, pk in zip(news, ids, strict=True) for a in n.attachments],
    )
    _create_payments(list(zip(news, ids, _fee_quotes(news), strict=True)), now)
    return ids


# --- Rows ------------------------------------------------------------------------------------


def _fee_quotes(news: Sequence[NewApplication]) -> list[FeeQuote | None]:
    """Each new application's fee (procedures.formdef.fees), from its version's rule."""
    charging = {
        v.pk: v
        for v in FormVersion.objects.filter(
            pk__in={n.form_version_id for n in news}, definition__has_key="fees"
        )
    }
    quotes: list[FeeQuote | None] = []
    # The record keeps the Japanese labels beside the English ones, whoever applied.
    with translation.override("ja"):
        for new in news:
            version = charging.get(new.form_version_id)
            if version is None:
                quotes.append(None)
                continue
            answers = new.answers
            if isinstance(answers, JsonText):
                answers = json.loads(answers)
            quotes.append(fee_quote(form_version_definition(form_version=version).fees, answers))
    return quotes


def _create_payments(
    created: Sequence[tuple[NewApplication, int, FeeQuote | None]], now: datetime
) -> None:
    rows = []
    for new, application_id, quote in created:
        found = payment_rows(
            application_id=application_id, municipality_id=new.municipality_id, quote=quote
        )
        if found is not None:
            rows.append(found)
    if not rows:
        return
    payments = Payment.objects.bulk_create([Payment(**row) for row, _kind in rows])
    PaymentEvent.objects.bulk_create(
        [
            PaymentEvent(payment=payment, kind=kind, amount=payment.amount, at=now)
            for payment, (_row, kind) in zip(payments, rows, strict=True)
        ]
    )


def _standard_days(news: Sequence[NewApplication]) -> dict[int, int | None]:
    """Each procedure's 標準処理期間 (days), which sets the application's deadline."""
    return dict(
        Procedure.objects.filter(
            municipality_id__in={n.municipality_id for n in news},
            pk__in={n.procedure_id for n in news},
        ).values_list("pk", "standard_processing_days")
    )


def _application_row(
    new: NewApplication, submitted_at: datetime, now: datetime, days: Mapping[int, int | None]
) -> dict[str, Any]:
    applicant = new.applicant
    if new.access_code:
        salt = codes.new_salt()
        access_hash = codes.hash_secret(new.access_code, salt)
    else:
        salt, access_hash = "", codes.NO_ACCESS_CODE
    return {
        "municipality_id": new.municipality_id,
        "receipt_number": new.receipt_number or codes.new_receipt_number(_local_date(submitted_at)),
        "procedure_id": new.procedure_id,
        "form_version_id": new.form_version_id,
        "channel": new.channel,
        "status": Status.RECEIVED.value,
        "answers": new.answers,
        "applicant_name": applicant.name[:100],
        "applicant_kana": applicant.kana[:100],
        "contact_email": applicant.email[:254],
        "language": new.language,
        "easy_japanese": new.easy_japanese,
        "access_code_salt": salt,
        "access_code_hash": access_hash,
        "submitted_at": submitted_at,
        "due_on": due_on_for(standard_days=days.get(new.procedure_id), submitted_at=submitted_at),
        "updated_at": now,
        "search_key": search_key_for(name=applicant.name, kana=applicant.kana),
        "idempotency_key_hash": new.idempotency_key_hash,
        "request_digest": new.request_digest,
        "visit_ticket_id": new.visit_ticket_id,
    }


def _event_row(new: NewApplication, application_id: int, at: datetime) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "kind": ApplicationEvent.Kind.SUBMITTED.value,
        "to_status": Status.RECEIVED.value,
        "internal_note": new.note,
        "at": at,
    }


def _attachment_row(
    new: NewApplication, attachment: NewAttachment, application_id: int
) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "municipality_id": new.municipality_id,
        "application_id": application_id,
        "field_path": attachment.field_path[:200],
        "file": attachment.file,
        "original_name": attachment.original_name[:255],
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def _local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


# --- Bulk insertion ----------------------------------------------------------------------------


def copy_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts by attribute name) in one statement: COPY on PostgreSQL, bulk_create
    elsewhere.

    COPY skips building model instances and Django's per-value adaptation (the largest costs of
    bulk_create at this size); it runs in the caller's transaction like any other statement, so
    atomicity is unchanged. A column the rows leave out gets what Django would give it: its
    default, `now` for auto_now fields, NULL where allowed, else the field's empty value.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**_parsed(row)) for row in rows])
        return
    from psycopg import sql as psycopg_sql

    given = list(rows[0])
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    json_at = [i for i, name in enumerate(given) if isinstance(by_name[name], models.JSONField)]
    now = timezone.now()
    rest = [f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key]
    fixed = tuple(_default_value(f, now) for f in rest)
    columns = [by_name[name].column for name in given] + [f.column for f in rest]
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(model._meta.db_table),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(c) for c in columns),
    )
    pick = operator.itemgetter(*given)
    # The raw cursor's errors are not Django's: wrap them so callers see IntegrityError etc.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(statement) as copy,
    ):
        write = copy.write_row
        for row in rows:
            values: tuple[Any, ...] = pick(row) if len(given) > 1 else (pick(row),)
            if json_at:
                serialised = list(values)
                for i in json_at:
                    if not isinstance(serialised[i], JsonText):
                        serialised[i] = json.dumps(serialised[i], ensure_ascii=False)
                values = tuple(serialised)
            write(values + fixed)


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if isinstance(v, JsonText) else v for k, v in row.items()}


def _default_value(f: Any, now: datetime) -> Any:
    """What Django would store in a column the caller leaves out (one value for every row)."""
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return now
    if f.has_default() and callable(f.default) and not isinstance(f, models.JSONField):
        # A per-row default (a UUID, a timestamp): the caller must give it.
        raise ValueError(f"{f.model.__name__}.{f.attname} needs a value per row")
    value = None if f.null and not f.has_default() else f.get_default()
    return json.dumps(value) if isinstance(f, models.JSONField) else value


def _allocate_ids(model: type[models.Model], count: int) -> list[int] | None:
    """Primary keys drawn from the table's sequence (PostgreSQL), so COPY can reference them."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _insert_applications(rows: list[dict[str, Any]]) -> list[int]:
    """Insert application rows; their primary keys, in order."""
    ids = _allocate_ids(Application, len(rows))
    if ids is None:
        objs = [Application(**_parsed(row)) for row in rows]
        Application.objects.bulk_create(objs)
        return [obj.pk for obj in objs]
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
    copy_rows(Application, rows)
    return ids


# --- The visit a counter application belongs to ----------------------------------------------
# The counter sits beside the reservations app in the layers and may not import it; the hall
# registers here how to find the ticket a clerk is serving (reservations/visit_tickets.py,
# found by autodiscovery), and the counter asks through `serving_visit_ticket`.


@dataclass(frozen=True)
class VisitTicketRef:
    id: int
    label: str  # what the hall shows ("A012"): no personal data


VisitTicketLookup = Callable[[int, int], "VisitTicketRef | None"]  # (municipality id, staff id)
_visit_ticket_lookups: list[VisitTicketLookup] = []


def visit_ticket_lookup(lookup: VisitTicketLookup) -> VisitTicketLookup:
    if lookup not in _visit_ticket_lookups:
        _visit_ticket_lookups.append(lookup)
    return lookup


def serving_visit_ticket(*, municipality_id: int, staff_id: int) -> VisitTicketRef | None:
    """The visit ticket this staff member is serving now, if the hall knows one."""
    autodiscover_modules("visit_tickets")
    for lookup in _visit_ticket_lookups:
        found = lookup(municipality_id, staff_id)
        if found is not None:
            return found
    return None
