"""Writes of the liaison desk: consultations and 出前講座 requests, their thread, triage and
status (TRANSITIONS below is the one rule), attachments, publishing an answer to the knowledge
base, and the prefecture's notices to its municipalities' staff (one mail each through the
notification path, and a delivery row that keeps the read state); the asker of a consultation
is mailed when it is answered."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.accounts.permissions import REGION_MANAGE, REGION_TAKE_PART
from madoguchi.notifications.services import notification_queue
from madoguchi.tenancy.models import Municipality, Prefecture

from ..models import (
    Consultation,
    ConsultationFile,
    ConsultationKind,
    ConsultationMessage,
    ConsultationStatus,
    KnowledgeEntry,
    Notice,
    NoticeDelivery,
    Specialist,
)
from ..survey.selectors import population_class
from ..upload_services import store_checked_file

S = ConsultationStatus
# Which status may follow which, per kind. A consultation is answered in its thread and closed
# when solved (a follow-up reopens an answered one); a 出前講座 is scheduled, then held.
TRANSITIONS: Mapping[str, Mapping[str, frozenset[str]]] = {
    ConsultationKind.CONSULTATION: {
        S.RECEIVED: frozenset({S.IN_PROGRESS, S.ANSWERED, S.CLOSED}),
        S.IN_PROGRESS: frozenset({S.ANSWERED, S.CLOSED}),
        S.ANSWERED: frozenset({S.IN_PROGRESS, S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    ConsultationKind.LECTURE: {
        S.RECEIVED: frozenset({S.SCHEDULING, S.SCHEDULED}),
        S.SCHEDULING: frozenset({S.SCHEDULED}),
        S.SCHEDULED: frozenset({S.SCHEDULING, S.HELD}),
        S.HELD: frozenset(),
    },
}
# Reaching one of these ends the case: its resolution time is measured up to then.
RESOLVED = frozenset({S.CLOSED, S.HELD})
# Where the DX team's first reply moves a new case, and a municipality's follow-up an answered one.
ON_FIRST_REPLY = {
    ConsultationKind.CONSULTATION: S.IN_PROGRESS,
    ConsultationKind.LECTURE: S.SCHEDULING,
}
PUBLISHABLE = frozenset({S.ANSWERED, S.CLOSED})
MAX_PREFERRED_DATES = 3
NOTICE = "region/notice"
ANSWERED = "region/consultation_answered"


def next_statuses(consultation: Consultation) -> list[str]:
    allowed = TRANSITIONS[consultation.kind].get(consultation.status, frozenset())
    return [s for s in S.values if s in allowed]


def consultation_create(
    *,
    municipality: Municipality,
    actor: StaffUser | None,
    kind: str,
    topic: str,
    title: str,
    body: str,
    preferred_dates: list[date] | None = None,
    audience: str = "",
    may_publish: bool = False,
    files: list[UploadedFile] | None = None,
) -> Consultation:
    dates = sorted(set(preferred_dates or []))
    if kind == ConsultationKind.LECTURE and not dates:
        raise ValidationError(_("出前講座の希望日を1つ以上入力してください。"))
    if len(dates) > MAX_PREFERRED_DATES:
        raise ValidationError(_("希望日は3つまでです。"))
    consultation = Consultation(
        municipality=municipality,
        asked_by=actor,
        kind=kind,
        topic=topic,
        title=title,
        body=body,
        preferred_dates=[d.isoformat() for d in dates] if kind == ConsultationKind.LECTURE else [],
        audience=audience if kind == ConsultationKind.LECTURE else "",
        may_publish=may_publish,
    )
    consultation.full_clean(exclude=["asked_by"])
    with transaction.atomic():
        consultation.save()
        for uploaded in files or []:
            file_add(consultation=consultation, uploaded=uploaded, actor=actor)
    return consultation


def _is_dx_team(actor: StaffUser, consultation: Consultation) -> bool:
    return (
        actor.prefecture_id is not None
        and actor.prefecture_id == consultation.municipality.prefecture_id
        and actor.has_perm(REGION_MANAGE)
    )


def _responded(consultation: Consultation, now: datetime) -> list[str]:
    if consultation.first_response_at is None:
        consultation.first_response_at = now
        return ["first_response_at"]
    return []


def consultation_reply(
    *, consultation: Consultation, actor: StaffUser, body: str, now: datetime | None = None
) -> ConsultationMessage:
    """A message in the thread. The DX team's first reply is the first response and moves a new
    case on; a municipality's follow-up reopens an answered consultation."""
    now = now or timezone.now()
    body = body.strip()
    if not body:
        raise ValidationError(_("本文を入力してください。"))
    if consultation.status in RESOLVED:
        raise ValidationError(_("完了した相談には書き込めません。新しく相談してください。"))
    from_prefecture = actor.prefecture_id is not None
    if from_prefecture and not _is_dx_team(actor, consultation):
        raise ValidationError(_("回答できるのは県のDX推進チームです。"))
    changed: list[str] = []
    if from_prefecture:
        changed = _responded(consultation, now)
        if consultation.status == S.RECEIVED:
            consultation.status = ON_FIRST_REPLY[ConsultationKind(consultation.kind)]
            changed.append("status")
    elif consultation.status == S.ANSWERED:
        consultation.status = S.IN_PROGRESS
        changed.append("status")
    message = ConsultationMessage(
        consultation=consultation, author=actor, from_prefecture=from_prefecture, body=body
    )
    message.full_clean(exclude=["consultation", "author"])
    with transaction.atomic():
        message.save()
        if changed:
            consultation.save(update_fields=changed)
    return message


def consultation_triage(
    *,
    consultation: Consultation,
    actor: StaffUser,
    topic: str,
    priority: str,
    liaison: StaffUser | None,
    expert: Specialist | None,
) -> Consultation:
    """The DX team sorts a case (分野, 優先度) and names who handles it: one of its own liaisons
    and, where it fits, an expert of its talent pool."""
    if not _is_dx_team(actor, consultation):
        raise ValidationError(_("振り分けられるのは県のDX推進チームです。"))
    prefecture_id = consultation.municipality.prefecture_id
    if liaison is not None and (
        liaison.prefecture_id != prefecture_id
        or not liaison.is_active
        or not liaison.has_perm(REGION_MANAGE)
    ):
        raise ValidationError(_("担当リエゾンは県のDX推進チームから選んでください。"))
    if expert is not None and (expert.prefecture_id != prefecture_id or not expert.is_active):
        raise ValidationError(_("この人材は選べません。"))
    consultation.topic, consultation.priority = topic, priority
    consultation.liaison, consultation.expert = liaison, expert
    consultation.full_clean(exclude=["asked_by", "liaison", "expert"])
    consultation.save(update_fields=["topic", "priority", "liaison", "expert"])
    return consultation


def consultation_set_status(
    *,
    consultation: Consultation,
    actor: StaffUser,
    status: str,
    scheduled_on: date | None = None,
    now: datetime | None = None,
) -> Consultation:
    now = now or timezone.now()
    if not _is_dx_team(actor, consultation):
        raise ValidationError(_("状態を変えられるのは県のDX推進チームです。"))
    if status not in TRANSITIONS[consultation.kind].get(consultation.status, frozenset()):
        raise ValidationError(
            _("「%(from)s」から「%(to)s」にはできません。")
            % {
                "from": consultation.get_status_display(),
                "to": S(status).label if status in S.values else status,
            }
        )
    changed = ["status", *_responded(consultation, now)]
    if status == S.SCHEDULED:
        if scheduled_on is None:
            raise ValidationError(_("実施日を入力してください。"))
        consultation.scheduled_on = scheduled_on
        changed.append("scheduled_on")
    if status in RESOLVED:
        consultation.resolved_at = now
        changed.append("resolved_at")
    consultation.status = status
    with transaction.atomic():
        consultation.save(update_fields=changed)
        if status == S.ANSWERED:
            _mail_answered(consultation)
    return consultation


def _mail_answered(consultation: Consultation) -> None:
    """Tell the staff member who asked that the answer is in the thread: one mail through the
    notification path (like a notice), sent after the commit, so a mail server that is down
    never undoes the answer."""
    asker = consultation.asked_by
    if asker is not None and asker.email:
        notification_queue(
            municipality=consultation.municipality,
            template=ANSWERED,
            reference=consultation.pk,
            language=settings.LANGUAGE_CODE,
        )


def file_add(
    *, consultation: Consultation, uploaded: UploadedFile, actor: StaffUser | None
) -> ConsultationFile:
    """Store a checked file in the private store under an opaque name (like attachments)."""
    if (
        actor is not None
        and actor.prefecture_id is not None
        and not _is_dx_team(actor, consultation)
    ):
        raise ValidationError(_("添付できるのは相談した市町村と県のDX推進チームです。"))
    return store_checked_file(
        ConsultationFile,
        uploaded,
        municipality=consultation.municipality,
        consultation=consultation,
        uploaded_by=actor,
    )


NAME_PLACEHOLDER = "（氏名）"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"0\d{1,4}[-‐ー−(（]?\d{1,4}[-‐ー−)）]?\d{3,4}")


def _people(consultation: Consultation) -> set[str]:
    """The names of everyone on the case: the asker, the authors, the liaison, the expert."""
    people = [consultation.asked_by, consultation.liaison]
    people += [m.author for m in consultation.messages.select_related("author")]
    names: set[str] = set()
    for person in people:
        if person is not None:
            names |= {person.last_name, person.first_name, person.get_full_name()}
            names |= {f"{person.last_name} {person.first_name}", person.username}
    if consultation.expert is not None:
        names |= {consultation.expert.name, *consultation.expert.name.split()}
    return {n.strip() for n in names if len(n.strip()) >= 2}


def redact(text: str, *, names: set[str]) -> str:
    """The text without the given personal names, e-mail addresses and phone numbers."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, NAME_PLACEHOLDER)
    text = _EMAIL.sub(NAME_PLACEHOLDER, text)
    return _PHONE.sub(NAME_PLACEHOLDER, text)


def knowledge_draft(*, consultation: Consultation) -> dict[str, str]:
    """The title, question and the DX team's answers, names removed: what the publish form
    starts with."""
    names = _people(consultation)
    answers = "\n\n".join(m.body for m in consultation.messages.all() if m.from_prefecture)
    return {
        "title": redact(consultation.title, names=names),
        "question": redact(consultation.body, names=names),
        "answer": redact(answers, names=names),
    }


def knowledge_publish(
    *, consultation: Consultation, actor: StaffUser, title: str, question: str, answer: str
) -> KnowledgeEntry:
    """Publish an answered consultation the municipality agreed to share, for every municipality
    of the prefecture. The texts (edited by the DX team) are cleaned of names once more."""
    if not _is_dx_team(actor, consultation):
        raise ValidationError(_("公開できるのは県のDX推進チームです。"))
    if consultation.kind != ConsultationKind.CONSULTATION or consultation.status not in PUBLISHABLE:
        raise ValidationError(_("公開できるのは回答済または完了の相談です。"))
    if not consultation.may_publish:
        raise ValidationError(_("市町村が公開に同意していない相談は公開できません。"))
    names = _people(consultation)
    title, question, answer = (redact(t.strip(), names=names) for t in (title, question, answer))
    if not title or not question or not answer:
        raise ValidationError(_("件名・質問・回答を入力してください。"))
    entry, _created = KnowledgeEntry.objects.update_or_create(
        consultation=consultation,
        defaults={
            "prefecture_id": consultation.municipality.prefecture_id,
            "topic": consultation.topic,
            "title": title,
            "question": question,
            "answer": answer,
            "population_class": population_class(consultation.municipality.population),
            "published_by": actor,
        },
    )
    return entry


def notice_recipients(*, municipalities: list[Municipality]) -> list[StaffUser]:
    """The active staff of those municipalities whose role takes part in the prefecture's work."""
    staff = StaffUser.objects.filter(municipality__in=municipalities, is_active=True)
    return [s for s in staff.order_by("pk") if s.has_perm(REGION_TAKE_PART)]


def notice_send(
    *,
    prefecture: Prefecture,
    actor: StaffUser,
    title: str,
    body: str,
    to_all: bool,
    targets: list[Municipality],
) -> Notice:
    """Send a notice to the staff of all or the chosen municipalities of the prefecture: a
    delivery each (the in-app list and its read state) and a mail each to those with an address."""
    if any(m.prefecture_id != prefecture.pk for m in targets):
        raise ValidationError(_("管内の市町村を選んでください。"))
    if not to_all and not targets:
        raise ValidationError(_("送り先の市町村を選んでください。"))
    municipalities = (
        list(Municipality.objects.filter(prefecture=prefecture)) if to_all else list(targets)
    )
    notice = Notice(prefecture=prefecture, sent_by=actor, title=title, body=body, to_all=to_all)
    notice.full_clean(exclude=["sent_by"])
    with transaction.atomic():
        notice.save()
        notice.targets.set(municipalities)
        for person in notice_recipients(municipalities=municipalities):
            assert person.municipality is not None
            delivery = NoticeDelivery.objects.create(
                notice=notice, staff=person, municipality=person.municipality
            )
            if person.email:
                notification_queue(
                    municipality=person.municipality,
                    template=NOTICE,
                    reference=delivery.pk,
                    language=settings.LANGUAGE_CODE,
                )
    return notice


def notice_mark_read(*, notice: Notice, staff: StaffUser) -> NoticeDelivery:
    """Mark read for this staff member (a delivery is made for someone who joined since)."""
    assert staff.municipality is not None
    delivery, _created = NoticeDelivery.objects.get_or_create(
        notice=notice, staff=staff, defaults={"municipality": staff.municipality}
    )
    if delivery.read_at is None:
        delivery.read_at = timezone.now()
        delivery.save(update_fields=["read_at"])
    return delivery
