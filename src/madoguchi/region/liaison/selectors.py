"""Reads of the liaison desk: who sees which consultation (a municipality its own, a prefecture
its municipalities'), response-time figures, the knowledge base and the notices."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.faq.engine import FaqDocument
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Prefecture

from ..models import (
    Consultation,
    ConsultationFile,
    KnowledgeEntry,
    Notice,
    NoticeDelivery,
    Specialist,
    Topic,
)
from . import search


def consultation_list(*, scope: Scope, status: str = "", kind: str = "") -> QuerySet[Consultation]:
    rows = scope.filter(Consultation.objects.all()).select_related("municipality", "liaison")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-pk")


def consultation_get(*, scope: Scope, pk: int) -> Consultation:
    found = (
        scope.filter(Consultation.objects.all())
        .select_related("municipality", "liaison", "expert", "asked_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def consultation_thread(*, consultation: Consultation) -> list:
    return list(consultation.messages.select_related("author"))


def file_get(*, scope: Scope, consultation_pk: int, file_id: UUID) -> ConsultationFile:
    found = (
        scope.filter(ConsultationFile.objects.all())
        .filter(consultation_id=consultation_pk, id=file_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def hours_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 1)


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM of receipt
    received: int
    responded: int
    resolved: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None


def response_figures(consultations: list[Consultation]) -> list[MonthFigures]:
    """Per month of receipt, newest first: how many came in, and the median hours to the first
    response and to the resolution of those that have one."""
    months: dict[str, list[Consultation]] = {}
    for c in consultations:
        months.setdefault(timezone.localtime(c.created_at).strftime("%Y-%m"), []).append(c)
    figures = []
    for month in sorted(months, reverse=True):
        rows = months[month]
        first = [
            h for c in rows if (h := hours_between(c.created_at, c.first_response_at)) is not None
        ]
        done = [h for c in rows if (h := hours_between(c.created_at, c.resolved_at)) is not None]
        figures.append(
            MonthFigures(
                month=month,
                received=len(rows),
                responded=len(first),
                resolved=len(done),
                median_first_response_hours=round(statistics.median(first), 1) if first else None,
                median_resolution_hours=round(statistics.median(done), 1) if done else None,
            )
        )
    return figures


def liaisons(*, prefecture: Prefecture) -> QuerySet[StaffUser]:
    """The prefecture's DX team (who may be named a case's liaison)."""
    return StaffUser.objects.filter(
        prefecture=prefecture, role=Role.PREFECTURE_DX, is_active=True
    ).order_by("last_name", "first_name", "pk")


def experts(*, prefecture: Prefecture) -> QuerySet[Specialist]:
    return Specialist.objects.filter(prefecture=prefecture, is_active=True).defer("email", "phone")


# --- Knowledge base ------------------------------------------------------------------------------


def knowledge_list(*, prefecture_id: int, topic: str = "") -> QuerySet[KnowledgeEntry]:
    rows = KnowledgeEntry.objects.filter(prefecture_id=prefecture_id)
    return rows.filter(topic=topic) if topic else rows


def knowledge_search(*, prefecture_id: int, query: str, topic: str = "") -> list[KnowledgeEntry]:
    """The prefecture's published answers that match an everyday question, best first."""
    entries = {e.pk: e for e in knowledge_list(prefecture_id=prefecture_id, topic=topic)}
    labels = dict(Topic.choices)
    documents = tuple(
        FaqDocument(
            id=str(e.pk),
            question=f"{e.title}\n{e.question}",
            answer=e.answer,
            category=str(labels.get(e.topic, "")),
        )
        for e in sorted(entries.values(), key=lambda e: e.pk)
    )
    return [entries[pk] for pk in search.ranked_ids(documents, query) if pk in entries]


# --- Notices -------------------------------------------------------------------------------------


def notice_list_sent(*, prefecture: Prefecture) -> QuerySet[Notice]:
    return Notice.objects.filter(prefecture=prefecture).annotate(
        delivered=Count("deliveries"),
        read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)),
    )


@dataclass(frozen=True)
class Received:
    notice: Notice
    read_at: datetime | None


def notices_for(*, staff: StaffUser) -> list[Received]:
    """The notices sent to the staff member's municipality, with their own read state."""
    if staff.municipality_id is None:
        return []
    notices = Notice.objects.filter(targets=staff.municipality_id).order_by("-sent_at", "-pk")
    read = dict(
        NoticeDelivery.objects.filter(staff=staff, notice__in=notices).values_list(
            "notice_id", "read_at"
        )
    )
    return [Received(n, read.get(n.pk)) for n in notices]


def notice_get(*, staff: StaffUser, pk: int) -> Notice:
    """A prefecture user: its own notice; a municipality's staff: one sent to their municipality."""
    if staff.prefecture_id is not None:
        found = Notice.objects.filter(prefecture_id=staff.prefecture_id, pk=pk).first()
    elif staff.municipality_id is not None:
        found = Notice.objects.filter(targets=staff.municipality_id, pk=pk).first()
    else:
        found = None
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class Reach:
    municipality: str
    delivered: int
    read: int


def notice_reach(*, notice: Notice) -> list[Reach]:
    """Per target municipality: how many staff it reached and how many read it (no names)."""
    counts = {
        row["municipality_id"]: row
        for row in notice.deliveries.values("municipality_id").annotate(
            delivered=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False))
        )
    }
    return [
        Reach(
            m.name,
            counts.get(m.pk, {}).get("delivered", 0),
            counts.get(m.pk, {}).get("read", 0),
        )
        for m in notice.targets.order_by("code")
    ]
