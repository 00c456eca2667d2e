"""The status workflow of an application — the one place that decides what may happen next.

受付 → 審査中 → 補正依頼 → (審査中 again) → 完了 / 却下 / 取下げ. Every change runs in one
transaction on a row locked with SELECT … FOR UPDATE, and checks the version the staff member
saw (optimistic locking): when a colleague changed the application in between, the second change
is refused with a message and nothing is written.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.notifications.services import notification_queue
from madoguchi.procedures.formdef import extract_applicant, validate_answers
from madoguchi.procedures.selectors import form_version_definition

from . import codes
from .deadlines import due_on_after_correction
from .models import (
    CLOSED_STATUSES,
    Application,
    ApplicationEvent,
    Attachment,
    CorrectionRequest,
    Draft,
    Status,
)
from .search import search_key_for
from .selectors import attachment_ids_in
from .services import SubmissionInvalid
from .staff_scope import visible_procedures

# Which status may follow which. 補正依頼 is entered only through correction_request() (it needs
# the fields and a deadline) and left by the resident's resubmission or a staff decision.
ALLOWED: Mapping[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.IN_REVIEW, Status.REJECTED, Status.WITHDRAWN}),
    Status.IN_REVIEW: frozenset(
        {Status.CORRECTION_REQUESTED, Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN}
    ),
    Status.CORRECTION_REQUESTED: frozenset({Status.IN_REVIEW, Status.REJECTED, Status.WITHDRAWN}),
    Status.COMPLETED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
TERMINAL = CLOSED_STATUSES
# 行政手続法 第8条: a refusal must state its reason.
REASON_REQUIRED = frozenset({Status.REJECTED})
# Changes the resident is told about by e-mail (tasks.send_status_email). 補正依頼 has its own
# mail with the link (correction_request); assignment and notes are internal and send nothing.
NOTIFIED = frozenset({Status.IN_REVIEW, Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN})
NOTE_MAX_LENGTH = 2000

# The mails this module queues (rendered at send time by notices.py).
CORRECTION = "applications/correction"
STATUS = "applications/status"
# To a staff member: an application was given to them (no personal data in the mail).
ASSIGNED = "applications/assigned"


class WorkflowError(Exception):
    """A refused change; `message` is Japanese and says what to do; `field` names the input."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class TransitionRefused(WorkflowError):
    pass


class StaleApplication(WorkflowError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "ほかの職員が先にこの申請を更新しました。あなたの操作はまだ保存されていません。"
                "最新の内容を確かめてから、もう一度操作してください（入力した内容は残してあります）。"
            )
        )


def allowed_next(status: str) -> list[str]:
    """Statuses reachable from `status`, in the order of Status (for buttons)."""
    return [s for s in Status.values if s in ALLOWED.get(status, frozenset())]


def _label(status: str) -> str:
    return str(Status(status).label)


def _lock(application: Application, expected_version: int) -> Application:
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.version != expected_version:
        raise StaleApplication
    if current.purged_at is not None:
        raise TransitionRefused(_("保存期間が過ぎて個人情報を削除した申請は変更できません。"))
    return current


def _check_text(value: str, *, field: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > NOTE_MAX_LENGTH:
        raise WorkflowError(
            _("%(label)sは%(max)d文字以内で入力してください。")
            % {"label": label, "max": NOTE_MAX_LENGTH},
            field=field,
        )
    return value


def _bump(application: Application, now: datetime, **changes: Any) -> None:
    """Write the changes and the next version in one UPDATE."""
    for name, value in changes.items():
        setattr(application, name, value)
    Application.objects.filter(pk=application.pk).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    application.version += 1
    application.updated_at = now


def _set_status(
    application: Application,
    *,
    to_status: str,
    now: datetime,
    actor: StaffUser | None,
    kind: str = ApplicationEvent.Kind.STATUS_CHANGED,
    public_note: str = "",
    public_note_easy: str = "",
    internal_note: str = "",
    language: str = "",
) -> None:
    """Change the status, record it, and e-mail the resident when the change concerns them.

    `language` is the mail's language when the resident made the change (a resubmission);
    else the language they applied in.
    """
    from_status = application.status
    changes: dict[str, Any] = {"status": to_status}
    if to_status in TERMINAL:
        changes["closed_at"] = now
    if from_status == Status.CORRECTION_REQUESTED and to_status not in TERMINAL:
        requested = (
            ApplicationEvent.objects.filter(
                application=application, to_status=Status.CORRECTION_REQUESTED
            )
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        if requested is not None:
            changes["due_on"] = due_on_after_correction(
                due_on=application.due_on, requested_at=requested, resumed_at=now
            )
    _bump(application, now, **changes)
    if from_status == Status.CORRECTION_REQUESTED:
        # The open request ends with this decision (a resubmission closes it itself).
        CorrectionRequest.objects.filter(
            application=application, resubmitted_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        # What the resident held but did not re-send expires now, with its files (see
        # correction_hold).
        Draft.objects.filter(correction__application=application, expires_at__gt=now).update(
            answers={}, expires_at=now
        )
    event = ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        public_note=public_note,
        public_note_easy=public_note_easy,
        internal_note=internal_note,
        actor=actor,
        at=now,
    )
    if to_status in NOTIFIED and application.contact_email:
        notification_queue(
            municipality=application.municipality,
            template=STATUS,
            reference=event.pk,
            language=language or application.language,
        )


@transaction.atomic
def application_transition(
    *,
    application: Application,
    actor: StaffUser,
    to_status: str,
    expected_version: int,
    reason: str = "",
    reason_easy: str = "",
    internal_note: str = "",
) -> Application:
    """Move to `to_status` if the workflow allows it from the current status.

    `reason` is shown to the resident (required for 却下), `reason_easy` instead of it to a
    resident who reads やさしい日本語 (optional); `internal_note` only to staff.
    """
    if to_status not in Status.values:
        raise TransitionRefused(_("選べない状態です。"))
    if to_status == Status.CORRECTION_REQUESTED:
        raise TransitionRefused(
            _("補正依頼は「補正を依頼する」から、項目と期限を指定して行ってください。")
        )
    reason = _check_text(reason, field="reason", label=_("理由"))
    reason_easy = _check_text(reason_easy, field="reason_easy", label=_("理由"))
    internal_note = _check_text(internal_note, field="internal_note", label=_("内部メモ"))
    current = _lock(application, expected_version)
    if to_status not in ALLOWED[current.status]:
        raise TransitionRefused(
            _("「%(from)s」の申請を「%(to)s」にすることはできません。")
            % {"from": _label(current.status), "to": _label(to_status)}
        )
    if to_status in REASON_REQUIRED and not reason:
        raise WorkflowError(
            _("却下するときは、申請者に伝える理由を入力してください。"), field="reason"
        )
    _set_status(
        current,
        to_status=to_status,
        now=timezone.now(),
        actor=actor,
        public_note=reason,
        public_note_easy=reason_easy,
        internal_note=internal_note,
    )
    return current


def assignable_staff(*, application: Application) -> list[StaffUser]:
    """Colleagues of the application's municipality who may process it."""
    staff = StaffUser.objects.filter(
        municipality_id=application.municipality_id, is_active=True
    ).order_by("last_name", "first_name", "username")
    return [
        user
        for user in staff
        if visible_procedures(user=user).filter(pk=application.procedure_id).exists()
    ]


@transaction.atomic
def application_assign(
    *,
    application: Application,
    actor: StaffUser,
    assignee: StaffUser | None,
    expected_version: int,
) -> Application:
    """Give the application to a colleague (or to nobody)."""
    if assignee is not None and assignee not in assignable_staff(application=application):
        raise WorkflowError(
            _("この職員には担当させられません。この手続を扱える同じ自治体の職員を選んでください。"),
            field="assignee",
        )
    current = _lock(application, expected_version)
    if current.assignee_id == (assignee.pk if assignee else None):
        return current
    now = timezone.now()
    _bump(current, now, assignee=assignee)
    event = ApplicationEvent.objects.create(
        application=current,
        kind=ApplicationEvent.Kind.ASSIGNED,
        internal_note=str(assignee.get_full_name() or assignee.username) if assignee else "",
        actor=actor,
        at=now,
    )
    if assignee is not None and assignee != actor and assignee.email:
        notification_queue(
            municipality=current.municipality,
            template=ASSIGNED,
            reference=event.pk,
            language=settings.LANGUAGE_CODE,
        )
    return current


# --- Several applications at once (the inbox's bulk actions) -----------------------------------

BULK_LIMIT = 200


@dataclass(frozen=True)
class BulkOutcome:
    changed: list[str]  # 受付番号
    refused: list[tuple[str, str]]  # (受付番号, why)


def applications_bulk_change(
    *,
    applications: Iterable[Application],
    actor: StaffUser,
    to_status: str = "",
    assignee: StaffUser | None = None,
    unassign: bool = False,
    reason: str = "",
) -> BulkOutcome:
    """The same status change or assignment for each application, each in its own transaction.

    One refusal (a status the workflow does not allow from where that application is, a colleague
    who may not process it) leaves the others changed; the outcome names each refused one. The
    version is the one read here: the staff member chose these rows from the list they saw.
    """
    changed: list[str] = []
    refused: list[tuple[str, str]] = []
    for application in applications:
        try:
            if to_status:
                application_transition(
                    application=application,
                    actor=actor,
                    to_status=to_status,
                    expected_version=application.version,
                    reason=reason,
                )
            else:
                application_assign(
                    application=application,
                    actor=actor,
                    assignee=None if unassign else assignee,
                    expected_version=application.version,
                )
        except WorkflowError as exc:
            refused.append((application.receipt_number, str(exc)))
        else:
            changed.append(application.receipt_number)
    return BulkOutcome(changed=changed, refused=refused)


def application_add_note(*, application: Application, actor: StaffUser, note: str) -> None:
    """An internal note: appended, never conflicting, so no version check."""
    note = _check_text(note, field="note", label=_("メモ"))
    if not note:
        raise WorkflowError(_("メモを入力してください。"), field="note")
    if application.purged_at is not None:
        raise TransitionRefused(_("保存期間が過ぎて個人情報を削除した申請は変更できません。"))
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.NOTE,
        internal_note=note,
        actor=actor,
        at=timezone.now(),
    )


# --- 補正 (corrections) -----------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectionIssued:
    application: Application
    correction: CorrectionRequest
    url: str  # the secret link (also e-mailed when the resident gave an address)


def correctable_fields(*, application: Application) -> list[tuple[str, str]]:
    """(key, label) of the top-level fields a correction may name, in form order."""
    definition = form_version_definition(form_version=application.form_version)
    return [(f.key, f.label) for f in definition.top_fields() if f.holds_value]


def correction_url(*, application: Application, token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "applications:correction",
        kwargs={"municipality_code": application.municipality.code, "token": token},
    )


@transaction.atomic
def correction_request(
    *,
    application: Application,
    actor: StaffUser,
    expected_version: int,
    field_keys: Iterable[str],
    message: str,
    deadline: date | None,
    today: date | None = None,
) -> CorrectionIssued:
    """Ask the resident to correct the named fields by `deadline`; e-mail them the link."""
    keys = list(dict.fromkeys(field_keys))
    known = dict(correctable_fields(application=application))
    if not keys:
        raise WorkflowError(_("補正してほしい項目を1つ以上選んでください。"), field="fields")
    if any(k not in known for k in keys):
        raise WorkflowError(_("この申請の様式にない項目が選ばれています。"), field="fields")
    message = _check_text(message, field="message", label=_("補正の内容"))
    if not message:
        raise WorkflowError(
            _("何をどう直してほしいかを、申請者に伝わる言葉で入力してください。"), field="message"
        )
    today = today or timezone.localdate()
    if deadline is None:
        raise WorkflowError(
            _("補正の期限を「2025-04-30」の形で入力してください。"), field="deadline"
        )
    if deadline < today:
        raise WorkflowError(_("補正の期限には今日以降の日付を入力してください。"), field="deadline")
    current = _lock(application, expected_version)
    if Status.CORRECTION_REQUESTED not in ALLOWED[current.status]:
        raise TransitionRefused(
            _("「%(from)s」の申請には補正を依頼できません。まず審査中にしてください。")
            % {"from": _label(current.status)}
        )
    now = timezone.now()
    token = codes.new_resume_token()
    correction = CorrectionRequest.objects.create(
        municipality_id=current.municipality_id,
        application=current,
        field_keys=keys,
        message=message,
        deadline=deadline,
        token_hash=codes.hash_secret(token),
        requested_by=actor,
        requested_at=now,
        answers_before=current.answers,
    )
    # The note the resident reads in the history: in their language (as the mail), with the
    # form's labels and the date in that language, not in the clerk's.
    with translation.override(current.language or settings.LANGUAGE_CODE):
        labels = dict(correctable_fields(application=current))
        public_note = _("補正をお願いします（%(fields)s）。期限：%(deadline)s\n%(message)s") % {
            "fields": pgettext("list separator", "、").join(labels[k] for k in keys),
            "deadline": formats.date_format(deadline, "DATE_FORMAT"),
            "message": message,
        }
    _set_status(
        current,
        to_status=Status.CORRECTION_REQUESTED,
        now=now,
        actor=actor,
        public_note=public_note,
    )
    url = correction_url(application=current, token=token)
    if current.contact_email:
        notification_queue(
            municipality=current.municipality,
            template=CORRECTION,
            reference=correction.pk,
            language=current.language,
            sealed={"token": token},
        )
    return CorrectionIssued(application=current, correction=correction, url=url)


def correction_for_token(*, municipality: Any, token: str) -> CorrectionRequest | None:
    """The open correction request of a link, if still usable (else None)."""
    if not token:
        return None
    return _usable(
        CorrectionRequest.objects.for_municipality(municipality)
        .select_related("application", "application__form_version", "application__procedure")
        .filter(token_hash__in=codes.token_hashes(token))
        .first()
    )


def correction_open_for(*, application: Application) -> CorrectionRequest | None:
    """The application's open, usable correction request (for the resident who opened the
    application on the status page with its access code), else None."""
    return _usable(
        CorrectionRequest.objects.for_municipality(application.municipality)
        .select_related("application", "application__form_version", "application__procedure")
        .filter(application=application, resubmitted_at__isnull=True, cancelled_at__isnull=True)
        .order_by("-requested_at")
        .first()
    )


def _usable(correction: CorrectionRequest | None) -> CorrectionRequest | None:
    """The request while the resident may still answer it: open, before its deadline, and the
    application still waiting for it."""
    if (
        correction is None
        or not correction.is_open
        or correction.deadline < timezone.localdate()
        or correction.application.status != Status.CORRECTION_REQUESTED
    ):
        return None
    return correction


def correction_hold(*, correction: CorrectionRequest) -> Draft | None:
    """What the resident sent on the correction form and has not re-sent yet, if anything."""
    return Draft.objects.filter(correction=correction).first()


def correction_hold_start(*, correction: CorrectionRequest) -> Draft:
    """The correction's hold, made on its first use: a draft of the application's form that
    keeps the files the resident attached (stored at once, as in the online journey) and the
    answers as typed, until they re-send. Staff never see it (its files belong to no
    application); it expires with the deadline, or when the correction ends, and is then
    cleaned with the other expired drafts (retention.orphans)."""
    application = correction.application
    hold, _created = Draft.objects.get_or_create(
        correction=correction,
        defaults={
            "municipality_id": correction.municipality_id,
            "procedure_id": application.procedure_id,
            "form_version_id": application.form_version_id,
            "expires_at": _hold_expiry(correction),
        },
    )
    return hold


def correction_hold_keep(*, hold: Draft, raw_answers: Mapping[str, Any]) -> Draft:
    """Keep what was posted on the correction form (unvalidated: checked when re-sent)."""
    if hold.correction is None:
        raise ValueError("not the hold of a correction")
    hold.answers = {**hold.answers, **raw_answers}
    hold.expires_at = _hold_expiry(hold.correction)
    hold.save(update_fields=["answers", "expires_at", "updated_at"])
    return hold


def _hold_expiry(correction: CorrectionRequest) -> datetime:
    """The end of the deadline day: the link stops working then, and so does the hold."""
    next_day = correction.deadline + timedelta(days=1)
    return timezone.make_aware(datetime.combine(next_day, time.min))


def correction_resubmit(
    *, correction: CorrectionRequest, new_values: Mapping[str, Any]
) -> Application:
    """The resident's corrected answers: only the named fields change; all is validated again.

    A file in `new_values` is either one the application already has or one held for this
    correction (`correction_hold_start`); the held ones become the application's now. The
    earlier files stay attached, so both versions remain readable.

    Raises `services.SubmissionInvalid` with errors by path when the answers do not validate.
    """
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
        application = Application.objects.select_for_update().get(pk=locked.application_id)
        if not locked.is_open or application.status != Status.CORRECTION_REQUESTED:
            raise SubmissionInvalid({"": [_("この補正はすでに受け付けたか、取り消されています。")]})
        definition = form_version_definition(form_version=application.form_version)
        merged = dict(application.answers)
        for key in locked.field_keys:
            merged[key] = copy.deepcopy(new_values.get(key))
        answers, errors = validate_answers(definition, merged)
        held = _held_attachment_ids(locked, application, answers)
        if held is None:
            errors.setdefault("", []).append(
                _("添付ファイルを確認できませんでした。もう一度添付してください。")
            )
        if errors:
            raise SubmissionInvalid(errors)
        Attachment.objects.filter(pk__in=held).update(application=application, draft=None)
        return _correction_accept(locked, application, definition, answers)


def _held_attachment_ids(
    correction: CorrectionRequest, application: Application, answers: Mapping[str, Any]
) -> list[str] | None:
    """The held files the answers take over; None if they name a file that is neither the
    application's nor held for this correction."""
    referenced = set(attachment_ids_in(answers))
    own = {
        str(pk)
        for pk in Attachment.objects.filter(
            municipality_id=application.municipality_id, application=application
        ).values_list("pk", flat=True)
    }
    held = {
        str(pk)
        for pk in Attachment.objects.filter(
            municipality_id=application.municipality_id,
            draft__correction=correction,
            application__isnull=True,
        ).values_list("pk", flat=True)
    }
    if referenced - own - held:
        return None
    return sorted(referenced & held)


def _correction_accept(
    locked: CorrectionRequest,
    application: Application,
    definition: Any,
    answers: dict[str, Any],
) -> Application:
    applicant = extract_applicant(definition, answers)
    now = timezone.now()
    locked.answers_after = answers
    locked.resubmitted_at = now
    locked.save(update_fields=["answers_after", "resubmitted_at"])
    _bump(
        application,
        now,
        answers=answers,
        applicant_name=(applicant.name or "")[:100],
        applicant_kana=(applicant.name_kana or "")[:100],
        contact_email=applicant.email or application.contact_email,
        search_key=search_key_for(name=applicant.name, kana=applicant.name_kana),
    )
    _set_status(
        application,
        to_status=Status.IN_REVIEW,
        now=now,
        actor=None,
        kind=ApplicationEvent.Kind.RESUBMITTED,
        language=get_language() or "",
    )
    return application
