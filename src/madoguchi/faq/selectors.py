"""Reads: what a municipality's residents may find, what its editors see, and the analytics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.access import Scope as TenantScope
from madoguchi.tenancy.access import offered_to
from madoguchi.tenancy.models import Municipality

from .content import answer_plain_text, render_answer
from .engine import FaqDocument
from .models import FaqEntry, FaqQueryLog, FaqSet, FaqSetAdoption, SharedFaqEntry, Status

LOCAL_PREFIX = "e"
SHARED_PREFIX = "s"


def doc_id_for(entry: FaqEntry | SharedFaqEntry) -> str:
    prefix = LOCAL_PREFIX if isinstance(entry, FaqEntry) else SHARED_PREFIX
    return f"{prefix}{entry.pk}"


def parse_doc_id(doc_id: str) -> tuple[str, int] | None:
    if (
        len(doc_id) < 2
        or doc_id[0] not in (LOCAL_PREFIX, SHARED_PREFIX)
        or not doc_id[1:].isdigit()
    ):
        return None
    return doc_id[0], int(doc_id[1:])


def _document(entry: FaqEntry | SharedFaqEntry) -> FaqDocument:
    return FaqDocument(
        id=doc_id_for(entry),
        question=entry.question,
        answer=answer_plain_text(entry.answer),
        alt_questions=tuple(entry.alt_question_list),
        keywords=tuple(entry.keyword_list),
        category=entry.category,
        question_en=entry.question_en,
        answer_en=answer_plain_text(entry.answer_en) if entry.answer_en else "",
    )


def document_for(entry: FaqEntry | SharedFaqEntry) -> FaqDocument:
    return _document(entry)


def published_local_entries(*, municipality: Municipality) -> QuerySet[FaqEntry]:
    return FaqEntry.objects.for_municipality(municipality).filter(status=Status.PUBLISHED)


def adopted_shared_entries(*, municipality: Municipality) -> QuerySet[SharedFaqEntry]:
    """Published entries of the adopted, active sets, minus those this town overrides."""
    overridden = (
        FaqEntry.objects.for_municipality(municipality)
        .filter(overrides__isnull=False)
        .exclude(status=Status.DRAFT)
        .values("overrides_id")
    )
    adopted = FaqSetAdoption.objects.for_municipality(municipality).values("faq_set_id")
    return SharedFaqEntry.objects.filter(
        faq_set_id__in=adopted, faq_set__is_active=True, is_published=True
    ).exclude(pk__in=overridden)


def searchable_documents(*, municipality: Municipality) -> list[FaqDocument]:
    """Every FAQ a resident of this municipality can get as an answer, as engine documents."""
    docs = [_document(e) for e in published_local_entries(municipality=municipality)]
    docs += [_document(e) for e in adopted_shared_entries(municipality=municipality)]
    return docs


# --- Resident side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureLink:
    name: str
    url: str


@dataclass(frozen=True)
class AnswerView:
    """One FAQ as residents see it. Each text has its English companion (``<field>_en``), so the
    language shown is chosen by the one rule, core/localized_text.py (see faq/_answer_text.html);
    ``answer``/``answer_en`` are sanitised HTML (SafeString)."""

    doc_id: str
    question: str
    answer: SafeString
    answer_text: str
    category: str
    contact: str
    procedures: list[ProcedureLink] = field(default_factory=list)
    question_en: str = ""
    answer_en: SafeString = field(default_factory=SafeString)
    category_en: str = ""
    contact_en: str = ""

    @property
    def has_english(self) -> bool:
        return bool(self.answer_en)


def _answer_view(
    entry: FaqEntry | SharedFaqEntry, procedures: list[ProcedureLink] | None = None
) -> AnswerView:
    return AnswerView(
        doc_id=doc_id_for(entry),
        question=entry.question,
        answer=render_answer(entry.answer),
        answer_text=answer_plain_text(entry.answer),
        category=entry.category,
        contact=entry.contact,
        procedures=procedures or [],
        question_en=entry.question_en,
        answer_en=render_answer(entry.answer_en) if entry.answer_en else SafeString(""),
        category_en=entry.category_en,
        contact_en=entry.contact_en,
    )


def _procedure_links(
    municipality: Municipality, procedures: list[Procedure]
) -> list[ProcedureLink]:
    return [
        ProcedureLink(
            name=p.name,
            url=reverse(
                "applications:procedure",
                kwargs={"municipality_code": municipality.code, "slug": p.slug},
            ),
        )
        for p in procedures
        if p.is_published
    ]


def answers_for(*, municipality: Municipality, doc_ids: list[str]) -> dict[str, AnswerView]:
    """Display data for engine hits, re-checked against what this municipality may show."""
    local_ids = [
        pk for kind, pk in filter(None, map(parse_doc_id, doc_ids)) if kind == LOCAL_PREFIX
    ]
    shared_ids = [
        pk for kind, pk in filter(None, map(parse_doc_id, doc_ids)) if kind == SHARED_PREFIX
    ]
    views: dict[str, AnswerView] = {}
    if local_ids:
        for e in (
            published_local_entries(municipality=municipality)
            .filter(pk__in=local_ids)
            .prefetch_related("related_procedures")
        ):
            views[doc_id_for(e)] = _answer_view(
                e, _procedure_links(municipality, list(e.related_procedures.all()))
            )
    if shared_ids:
        for s in adopted_shared_entries(municipality=municipality).filter(pk__in=shared_ids):
            views[doc_id_for(s)] = _answer_view(s)
    return views


@dataclass(frozen=True)
class SuggestedQuestion:
    question: str
    question_en: str = ""


@dataclass(frozen=True)
class CategorySuggestions:
    """A category and its first few questions; ``name``/``name_en`` and each question's texts
    are shown through core/localized_text.py."""

    name: str
    questions: list[SuggestedQuestion]
    name_en: str = ""


def category_suggestions(
    *, municipality: Municipality, per_category: int = 3
) -> list[CategorySuggestions]:
    """Suggested questions per category (the first few of each, by question); grouped by the
    Japanese category, with the first English name any of its entries gives."""
    fields = ("category", "question", "category_en", "question_en")
    rows = list(published_local_entries(municipality=municipality).values_list(*fields)) + list(
        adopted_shared_entries(municipality=municipality).values_list(*fields)
    )
    grouped: dict[str, list[SuggestedQuestion]] = {}
    english: dict[str, str] = {}
    for category, question, category_en, question_en in sorted(rows):
        if not category:
            continue
        if category_en and not english.get(category):
            english[category] = category_en
        bucket = grouped.setdefault(category, [])
        if len(bucket) < per_category:
            bucket.append(SuggestedQuestion(question, question_en))
    return [
        CategorySuggestions(name=c, questions=q, name_en=english.get(c, ""))
        for c, q in grouped.items()
    ]


def related_procedures_for_category(
    *, municipality: Municipality, category: str, limit: int = 3
) -> list[ProcedureLink]:
    """Procedures linked from FAQs of a category: a hand-off when no answer fits."""
    procedures = (
        Procedure.objects.for_municipality(municipality)
        .filter(
            is_published=True,
            faq_entries__category=category,
            faq_entries__municipality=municipality,
        )
        .distinct()[:limit]
    )
    return _procedure_links(municipality, list(procedures))


# --- Staff side --------------------------------------------------------------------------------


def entry_list(
    *, municipality: Municipality, status: str = "", category: str = "", text: str = ""
) -> QuerySet[FaqEntry]:
    qs = FaqEntry.objects.for_municipality(municipality).select_related("overrides")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if text:
        qs = qs.filter(
            Q(question__icontains=text)
            | Q(alt_questions__icontains=text)
            | Q(keywords__icontains=text)
        )
    return qs.order_by("category", "question", "pk")


def entry_categories(*, municipality: Municipality) -> list[str]:
    return sorted(
        c
        for c in FaqEntry.objects.for_municipality(municipality)
        .values_list("category", flat=True)
        .distinct()
        if c
    )


def available_sets(*, municipality: Municipality) -> QuerySet[FaqSet]:
    """National sets and the municipality's prefecture's sets."""
    return FaqSet.objects.filter(is_active=True).filter(offered_to(municipality))


def adopted_set_ids(*, municipality: Municipality) -> set[int]:
    return set(
        FaqSetAdoption.objects.for_municipality(municipality).values_list("faq_set_id", flat=True)
    )


def shared_entries_of_set(
    *, municipality: Municipality, faq_set: FaqSet
) -> list[tuple[SharedFaqEntry, FaqEntry | None]]:
    overrides = {
        e.overrides_id: e
        for e in FaqEntry.objects.for_municipality(municipality).filter(overrides__faq_set=faq_set)
    }
    return [(s, overrides.get(s.pk)) for s in faq_set.entries.filter(is_published=True)]


# --- Analytics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryStat:
    query_key: str
    example: str
    count: int
    last_asked: dt.datetime
    answered: int = 0
    unhelpful: int = 0


def _logs(
    municipality: Municipality, since: dt.datetime, until: dt.datetime
) -> QuerySet[FaqQueryLog]:
    return FaqQueryLog.objects.for_municipality(municipality).filter(
        created_at__gte=since, created_at__lt=until
    )


def _grouped(qs: QuerySet[FaqQueryLog], limit: int) -> list[QueryStat]:
    rows = (
        qs.values("query_key")
        .annotate(
            count=Count("pk"),
            last_asked=Max("created_at"),
            example=Max("query"),
            answered_count=Count("pk", filter=Q(answered=True)),
            unhelpful_count=Count("pk", filter=Q(helpful=False)),
        )
        .order_by("-count", "query_key")[:limit]
    )
    return [
        QueryStat(
            query_key=r["query_key"],
            example=r["example"],
            count=r["count"],
            last_asked=r["last_asked"],
            answered=r["answered_count"],
            unhelpful=r["unhelpful_count"],
        )
        for r in rows
    ]


def most_asked(
    *, municipality: Municipality, since: dt.datetime, until: dt.datetime, limit: int = 20
) -> list[QueryStat]:
    return _grouped(_logs(municipality, since, until), limit)


def unanswered(
    *, municipality: Municipality, since: dt.datetime, until: dt.datetime, limit: int = 20
) -> list[QueryStat]:
    return _grouped(_logs(municipality, since, until).filter(answered=False), limit)


def unhelpful(
    *, municipality: Municipality, since: dt.datetime, until: dt.datetime, limit: int = 20
) -> list[QueryStat]:
    return _grouped(_logs(municipality, since, until).filter(helpful=False), limit)


@dataclass(frozen=True)
class PeriodSummary:
    total: int
    answered: int
    helpful: int
    unhelpful: int


def period_summary(
    *, municipality: Municipality, since: dt.datetime, until: dt.datetime
) -> PeriodSummary:
    agg = _logs(municipality, since, until).aggregate(
        n_total=Count("pk"),
        n_answered=Count("pk", filter=Q(answered=True)),
        n_helpful=Count("pk", filter=Q(helpful=True)),
        n_unhelpful=Count("pk", filter=Q(helpful=False)),
    )
    return PeriodSummary(
        total=agg["n_total"],
        answered=agg["n_answered"],
        helpful=agg["n_helpful"],
        unhelpful=agg["n_unhelpful"],
    )


def example_query(*, municipality: Municipality, query_key: str) -> str | None:
    log = FaqQueryLog.objects.for_municipality(municipality).filter(query_key=query_key).first()
    return log.query if log else None


def question_counts_by_municipality(
    *, scope: TenantScope, first: dt.date, last: dt.date
) -> dict[int, int]:
    """Read contract (region, insights): questions asked in the FAQ chat per municipality id in
    the scope, from local day `first` through `last`; none → left out."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    rows = (
        scope.filter(FaqQueryLog.objects.all())
        .filter(created_at__gte=start, created_at__lt=end)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["municipality_id"]: row["n"] for row in rows}


def unanswered_near(
    *,
    municipality: Municipality,
    entry: FaqEntry,
    days: int = 90,
    candidates: int = 50,
    rank: int = 1,
    limit: int = 10,
) -> list[QueryStat]:
    """Recent unanswered questions (masked) that now find this FAQ first (among the first ``rank`` hits):
    the phrasings an editor may add as alternatives (the cheapest quality lever there is)."""
    from . import index_cache  # index_cache reads this module: imported late

    until = timezone.now()
    stats = unanswered(
        municipality=municipality,
        since=until - dt.timedelta(days=days),
        until=until,
        limit=candidates,
    )
    if not stats:
        return []
    doc_id = doc_id_for(entry)
    index, lock = index_cache.get_index(municipality)
    near = []
    with lock:
        for stat in stats:
            hits = index.search(stat.example, k=rank).hits
            if any(h.doc_id == doc_id for h in hits):
                near.append(stat)
    return near[:limit]
