"""Reads for applications, always scoped by municipality."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, F, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.core.administrative_days import add_working_days
from madoguchi.core.japanese_text import normalize_input
from madoguchi.procedures.formdef import Step, SummaryRow, summarize
from madoguchi.procedures.selectors import form_version_definition
from madoguchi.tenancy.access import Scope as TenantScope
from madoguchi.tenancy.models import Municipality

from . import codes
from .models import (
    CLOSED_STATUSES,
    Application,
    ApplicationEvent,
    Attachment,
    CorrectionRequest,
    Draft,
    Status,
)
from .search import fold
from .staff_scope import visible_applications


def application_for_resident(
    *, municipality: Municipality, receipt_number: str, access_code: str
) -> Application | None:
    """The application, only when the receipt number and access code match (else None)."""
    digits = codes.normalize_code(receipt_number)  # hyphens and spaces dropped
    if len(digits) != 14 or not digits.isdigit():
        return None
    receipt = f"{digits[:8]}-{digits[8:]}"
    application = (
        Application.objects.for_municipality(municipality)
        .select_related("procedure")
        .filter(receipt_number=receipt)
        .first()
    )
    if application is None:
        return None
    if not codes.access_code_matches(
        code=codes.normalize_code(access_code),
        salt=application.access_code_salt,
        stored=application.access_code_hash,
    ):
        return None
    return application


def application_public_events(*, application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.filter(kind__in=ApplicationEvent.PUBLIC_KINDS).order_by("at", "pk")


def draft_by_resume_token(*, municipality: Municipality, token: str) -> Draft | None:
    if not token:
        return None
    return (
        Draft.objects.for_municipality(municipality)
        .select_related("procedure", "form_version")
        .filter(resume_token_hash__in=codes.token_hashes(token), expires_at__gt=timezone.now())
        .first()
    )


def draft_unfinished_steps(*, draft: Draft, steps: Iterable[Step]) -> list[str]:
    """Keys of `steps` holding answers saved unvalidated (not done, but something was kept)."""
    return [
        step.key
        for step in steps
        if step.key not in draft.completed_steps
        and any(f.key in draft.answers for f in step.fields if f.holds_value)
    ]


def attachment_ids_in(value: Any) -> list[str]:
    """Every attachment reference inside a (possibly nested) answers value."""
    if isinstance(value, dict):
        if "attachment" in value and isinstance(value["attachment"], str):
            return [value["attachment"]]
        return [i for v in value.values() for i in attachment_ids_in(v)]
    if isinstance(value, list):
        return [i for v in value for i in attachment_ids_in(v)]
    return []


def application_attachments(
    *, municipality: Municipality, application: Application
) -> list[Attachment]:
    """Every file of an application, oldest first (a 補正 keeps the earlier versions too)."""
    return list(
        Attachment.objects.for_municipality(municipality)
        .filter(application=application)
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class AttachmentRow:
    attachment: Attachment
    current: bool  # referenced by the answers; False: replaced by a later file (補正)
    preview: str  # "image", "pdf" or "" (preview.preview_kind)


def attachment_rows(*, application: Application) -> list[AttachmentRow]:
    """The application's files for the back office, oldest first, each marked current or
    superseded (a 補正 keeps the earlier file, and the answers point at the new one)."""
    from .preview import preview_kind

    current = set(attachment_ids_in(application.answers))
    return [
        AttachmentRow(
            attachment=a,
            current=str(a.pk) in current,
            preview=preview_kind(a.content_type),
        )
        for a in application_attachments(
            municipality=application.municipality, application=application
        )
    ]


def application_attachment(
    *, municipality: Municipality, application: Application, attachment_id: str
) -> Attachment | None:
    """One file of this application (None for a malformed id or another application's file)."""
    try:
        pk = uuid.UUID(attachment_id)
    except ValueError:
        return None
    return (
        Attachment.objects.for_municipality(municipality)
        .filter(pk=pk, application=application)
        .first()
    )


# --- Back office ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    procedure_id: int | None = None
    status: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    assignee: str = ""  # "", "me", "none" or a staff id
    query: str = ""
    deadline: str = (
        ""  # "", "overdue" (past its 処理期限 and still open) or "soon" (3 working days)
    )
    order: str = "newest"  # a key of INBOX_ORDERS
    payment: str = ""  # "", a PaymentStatus value, or "none" (no fee)


# The inbox's sort orders: a key in the URL, the columns here (the last one makes it total).
INBOX_ORDERS: dict[str, tuple[Any, ...]] = {
    "newest": ("-submitted_at", "-pk"),
    "oldest": ("submitted_at", "pk"),
    # Open applications first (a closed one has no deadline left to meet), nearest deadline first.
    "due": (
        Case(When(status__in=list(CLOSED_STATUSES), then=Value(1)), default=Value(0)),
        F("due_on").asc(nulls_last=True),
        "submitted_at",
        "pk",
    ),
}
DUE_SOON_WORKING_DAYS = 3


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def inbox_base(*, user: StaffUser, filters: InboxFilters) -> QuerySet[Application]:
    """The user's visible applications with every filter but the status one (for the counts)."""
    qs = visible_applications(user=user)
    if filters.procedure_id is not None:
        qs = qs.filter(procedure_id=filters.procedure_id)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.date_from is not None:
        qs = qs.filter(submitted_at__gte=_local_midnight(filters.date_from))
    if filters.date_to is not None:
        qs = qs.filter(submitted_at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.payment == "none":
        qs = qs.filter(payment__isnull=True)
    elif filters.payment:
        qs = qs.filter(payment__status=filters.payment)
    if filters.deadline:
        today = timezone.localdate()
        qs = qs.exclude(status__in=CLOSED_STATUSES)
        if filters.deadline == "overdue":
            qs = qs.filter(due_on__lt=today)
        elif filters.deadline == "soon":
            qs = qs.filter(
                due_on__gte=today, due_on__lte=add_working_days(today, DUE_SOON_WORKING_DAYS)
            )
    query = filters.query.strip()
    if query:
        digits = "".join(normalize_input(query).split()).replace("-", "")
        if digits.isascii() and digits.isdigit() and len(digits) >= 6:
            # A receipt number (全角 digits and hyphens accepted), whole or in part.
            if len(digits) == 14:
                qs = qs.filter(receipt_number=f"{digits[:8]}-{digits[8:]}")
            elif len(digits) > 8:
                qs = qs.filter(receipt_number__startswith=f"{digits[:8]}-{digits[8:]}")
            else:
                qs = qs.filter(receipt_number__contains=digits)
        else:
            for word in query.split():
                qs = qs.filter(search_key__contains=fold(word))
    return qs


def inbox_list(*, user: StaffUser, filters: InboxFilters) -> QuerySet[Application]:
    """One page's worth of columns only (never the answers), newest first."""
    qs = inbox_base(user=user, filters=filters)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return (
        qs.select_related("procedure", "assignee", "payment")
        .only(
            "pk",
            "receipt_number",
            "status",
            "channel",
            "applicant_name",
            "applicant_kana",
            "submitted_at",
            "due_on",
            "handed_off_at",
            "purged_at",
            "procedure__name",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "payment__status",
            "payment__amount",
        )
        .order_by(*INBOX_ORDERS.get(filters.order, INBOX_ORDERS["newest"]))
    )


def inbox_status_counts(*, user: StaffUser, filters: InboxFilters) -> dict[str, int]:
    counts = dict(
        inbox_base(user=user, filters=filters)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in Status.values}


@dataclass(frozen=True)
class DiffRow:
    label: str
    before: str
    after: str


def _flat_rows(rows: Iterable[SummaryRow], prefix: str = "") -> dict[str, tuple[str, str]]:
    flat: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row.is_group:
            flat[row.path] = (prefix + row.label, row.value)
            for item in row.items:
                flat.update(_flat_rows(item.rows, f"{prefix}{row.label} {item.title} "))
        else:
            flat[row.path] = (prefix + row.label, row.value)
    return flat


def correction_diff(*, correction: CorrectionRequest) -> list[DiffRow]:
    """What the resident changed in a 補正, as labelled before/after values in form order."""
    if correction.answers_after is None:
        return []
    definition = form_version_definition(form_version=correction.application.form_version)

    def flat(answers: dict[str, Any]) -> dict[str, tuple[str, str]]:
        return {
            path: entry
            for section in summarize(definition, answers)
            for path, entry in _flat_rows(section.rows).items()
        }

    before = flat(correction.answers_before)
    after = flat(correction.answers_after)
    empty = str(_("（なし）"))
    paths = list(before) + [p for p in after if p not in before]
    return [
        DiffRow(
            label=(after.get(path) or before[path])[0],
            before=before[path][1] if path in before else empty,
            after=after[path][1] if path in after else empty,
        )
        for path in paths
        if before.get(path, ("", empty))[1] != after.get(path, ("", empty))[1]
    ]


def application_counts_by_municipality(
    *, scope: TenantScope, first: date, last: date
) -> dict[int, int]:
    """Read contract (region, insights): applications submitted per municipality id in the
    scope, from local day `first` through `last`; municipalities with none are left out."""
    rows = (
        scope.filter(Application.objects.all())
        .filter(submitted_at__gte=_local_midnight(first))
        .filter(submitted_at__lt=_local_midnight(last + timedelta(days=1)))
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["municipality_id"]: row["n"] for row in rows}
