"""Writes: FAQ content, shared-set adoption, questions asked, feedback, drafts and log retention.

Every change to what a municipality's residents can find bumps its ``FaqIndexState.version`` in the
same transaction and, after commit, updates this process's cached index incrementally
(index_cache.py explains how other processes catch up).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from madoguchi.jobs.models import Job
from madoguchi.jobs.selectors import job_latest
from madoguchi.jobs.services import Progress, job_create, job_enqueue
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality

from . import index_cache, selectors
from .content import sanitize_answer
from .engine.crosslingual import detect_language
from .masking import mask_personal_data, query_key
from .models import (
    FaqEntry,
    FaqIndexState,
    FaqQueryLog,
    FaqSet,
    FaqSetAdoption,
    SharedFaqEntry,
    Status,
)

QUESTION_MAX_CHARS = 200
DEFAULT_LOG_RETENTION_DAYS = 365
ENTRY_FIELDS = (
    "question",
    "answer",
    "question_en",
    "answer_en",
    "category",
    "category_en",
    "alt_questions",
    "keywords",
    "contact",
    "contact_en",
    "status",
    "last_reviewed",
)


def log_retention_days() -> int:
    return int(getattr(settings, "FAQ_LOG_RETENTION_DAYS", DEFAULT_LOG_RETENTION_DAYS))


# --- Index versioning --------------------------------------------------------------------------


def _bump_version(municipality_id: int) -> int:
    FaqIndexState.objects.get_or_create(municipality_id=municipality_id)
    FaqIndexState.objects.filter(municipality_id=municipality_id).update(version=F("version") + 1)
    return FaqIndexState.objects.values_list("version", flat=True).get(
        municipality_id=municipality_id
    )


def _faq_index_changed(
    municipality_id: int, *, upsert: Iterable[Any] = (), remove: Iterable[str] = ()
) -> None:
    """Record a change of the searchable FAQ; patch this process's index after commit, and
    queue the index job if the municipality has no stored index yet (its creation's job has not
    run or failed): a staff-side change, never a resident's question, queues it."""
    version = _bump_version(municipality_id)
    docs = list(upsert)
    removed = list(remove)
    transaction.on_commit(
        lambda: index_cache.apply_change(
            municipality_id, version=version, upsert=docs, remove=removed
        )
    )
    if not index_cache.has_stored_index(municipality_id):
        transaction.on_commit(lambda: _index_job_ensure(municipality_id))


def _index_job_ensure(municipality_id: int) -> None:
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is not None and not index_cache.has_stored_index(municipality_id):
        faq_index_build_ensure(municipality=municipality)


def _refresh_entry(entry: FaqEntry) -> None:
    """The index change implied by an entry's current state (and the shared entry it overrides)."""
    upsert = []
    remove = [selectors.doc_id_for(entry)]
    if entry.status == Status.PUBLISHED:
        upsert.append(selectors.document_for(entry))
        remove = []
    shared = entry.overrides
    if shared is not None:
        adopted = FaqSetAdoption.objects.filter(
            municipality_id=entry.municipality_id, faq_set_id=shared.faq_set_id
        ).exists()
        shared_id = selectors.doc_id_for(shared)
        if entry.status == Status.DRAFT and adopted and shared.is_published:
            upsert.append(selectors.document_for(shared))
        else:
            remove.append(shared_id)
    _faq_index_changed(entry.municipality_id, upsert=upsert, remove=remove)


# --- Entries -----------------------------------------------------------------------------------


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    for key in ("answer", "answer_en"):
        if key in cleaned:
            cleaned[key] = sanitize_answer(cleaned[key] or "")
    for key in ("question", "question_en", "category", "category_en"):
        if key in cleaned:
            cleaned[key] = " ".join(str(cleaned[key] or "").split())
    return cleaned


def _check_procedures(
    municipality: Municipality, procedures: Iterable[Procedure]
) -> list[Procedure]:
    procedures = list(procedures)
    if any(p.municipality_id != municipality.pk for p in procedures):
        raise ValidationError({"related_procedures": "他の自治体の手続は関連付けられません。"})
    return procedures


@transaction.atomic
def faq_entry_create(
    *,
    municipality: Municipality,
    question: str,
    answer: str,
    related_procedures: Iterable[Procedure] = (),
    overrides: SharedFaqEntry | None = None,
    **fields: Any,
) -> FaqEntry:
    data = _clean_fields({"question": question, "answer": answer, **fields})
    entry = FaqEntry(municipality=municipality, overrides=overrides, **data)
    entry.full_clean()
    entry.save()
    entry.related_procedures.set(_check_procedures(municipality, related_procedures))
    _refresh_entry(entry)
    return entry


@transaction.atomic
def faq_entry_update(
    *,
    entry: FaqEntry,
    related_procedures: Iterable[Procedure] | None = None,
    **fields: Any,
) -> FaqEntry:
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for key, value in _clean_fields(fields).items():
        setattr(entry, key, value)
    entry.full_clean()
    entry.save()
    if related_procedures is not None:
        entry.related_procedures.set(_check_procedures(entry.municipality, related_procedures))
    _refresh_entry(entry)
    return entry


@transaction.atomic
def faq_entry_delete(*, entry: FaqEntry) -> None:
    shared = entry.overrides
    municipality_id = entry.municipality_id
    doc_id = selectors.doc_id_for(entry)
    entry.delete()
    upsert = []
    if (
        shared is not None
        and shared.is_published
        and FaqSetAdoption.objects.filter(
            municipality_id=municipality_id, faq_set_id=shared.faq_set_id
        ).exists()
    ):
        upsert.append(selectors.document_for(shared))
    _faq_index_changed(municipality_id, upsert=upsert, remove=[doc_id])


# --- Shared sets -------------------------------------------------------------------------------


@transaction.atomic
def faq_set_adopt(*, municipality: Municipality, faq_set: FaqSet) -> FaqSetAdoption:
    if not selectors.available_sets(municipality=municipality).filter(pk=faq_set.pk).exists():
        raise ValidationError("この共通FAQセットは採用できません。")
    adoption, created = FaqSetAdoption.objects.get_or_create(
        municipality=municipality, faq_set=faq_set
    )
    if created:
        docs = [
            selectors.document_for(s)
            for s in selectors.adopted_shared_entries(municipality=municipality).filter(
                faq_set=faq_set
            )
        ]
        _faq_index_changed(municipality.pk, upsert=docs)
    return adoption


@transaction.atomic
def faq_set_withdraw(*, municipality: Municipality, faq_set: FaqSet) -> None:
    ids = [selectors.doc_id_for(s) for s in faq_set.entries.all()]
    deleted, _ = (
        FaqSetAdoption.objects.for_municipality(municipality).filter(faq_set=faq_set).delete()
    )
    if deleted:
        _faq_index_changed(municipality.pk, remove=ids)


@transaction.atomic
def shared_entry_override(*, municipality: Municipality, shared: SharedFaqEntry) -> FaqEntry:
    """A local draft copy of a shared entry; it replaces the shared one once published."""
    existing = FaqEntry.objects.for_municipality(municipality).filter(overrides=shared).first()
    if existing is not None:
        return existing
    return faq_entry_create(
        municipality=municipality,
        question=shared.question,
        answer=shared.answer,
        question_en=shared.question_en,
        answer_en=shared.answer_en,
        category=shared.category,
        category_en=shared.category_en,
        alt_questions=shared.alt_questions,
        keywords=shared.keywords,
        contact=shared.contact,
        contact_en=shared.contact_en,
        overrides=shared,
        status=Status.DRAFT,
    )


@transaction.atomic
def shared_entry_hide(*, municipality: Municipality, shared: SharedFaqEntry) -> FaqEntry:
    """Stop offering one shared entry (an archived override), keeping the rest of the set."""
    entry = shared_entry_override(municipality=municipality, shared=shared)
    return faq_entry_update(entry=entry, status=Status.ARCHIVED)


@transaction.atomic
def shared_entry_save(*, entry: SharedFaqEntry) -> SharedFaqEntry:
    """Save a shared entry (operators only) and tell every adopting municipality."""
    entry.answer = sanitize_answer(entry.answer)
    entry.answer_en = sanitize_answer(entry.answer_en)
    entry.full_clean()
    entry.save()
    for municipality_id in FaqSetAdoption.objects.filter(faq_set_id=entry.faq_set_id).values_list(
        "municipality_id", flat=True
    ):
        # Overrides and publish state differ per municipality: let each one synchronise.
        _bump_version(municipality_id)
    return entry


def faq_set_touched(*, faq_set: FaqSet) -> None:
    """A set changed (entries deleted, activated or not): adopters synchronise their index."""
    for municipality_id in FaqSetAdoption.objects.filter(faq_set=faq_set).values_list(
        "municipality_id", flat=True
    ):
        _bump_version(municipality_id)


# --- Questions, feedback, drafts ---------------------------------------------------------------


# Shown with the reply to a question written in another language: (answered in Japanese only, not
# answered, answered with the municipality's English text). Written in the reader's language on
# purpose, not gettext: the page language may be Japanese while the question is not.
READER_NOTES = {
    "en": (
        "This answer is available in Japanese only. If anything is unclear, please contact the "
        "office below; we will help you.",
        "We could not find a sure answer. The closest questions below may be in Japanese. Please "
        "contact the office below; we will help you.",
        "",
    ),
    "zh": (
        "此回答只有日语版本。如有不明之处，请联系下方的窗口。",
        "没有找到确切的回答。下面的相近问题可能是日语的。请联系下方的窗口。",
        "此回答以英语显示（由当地政府提供的英文版）。如有不明之处，请联系下方的窗口。",
    ),
    "ko": (
        "이 답변은 일본어로만 제공됩니다. 궁금한 점이 있으면 아래 창구로 문의해 주세요.",
        "정확한 답변을 찾지 못했습니다. 아래의 비슷한 질문은 일본어일 수 있습니다. 아래 창구로 문의해 주세요.",
        "이 답변은 영어로 표시됩니다(지자체가 제공한 영어판). 궁금한 점이 있으면 아래 창구로 문의해 주세요.",
    ),
    "vi": (
        "Câu trả lời này chỉ có bằng tiếng Nhật. Nếu có điều gì chưa rõ, vui lòng liên hệ quầy "
        "bên dưới.",
        "Chúng tôi không tìm thấy câu trả lời chắc chắn. Các câu hỏi gần giống bên dưới có thể "
        "bằng tiếng "
        "Nhật. Vui lòng liên hệ quầy bên dưới.",
        "Câu trả lời này được hiển thị bằng tiếng Anh (bản do chính quyền địa phương cung "
        "cấp). Nếu có điều gì chưa rõ, vui lòng liên hệ quầy bên dưới.",
    ),
    "pt": (
        "Esta resposta está disponível apenas em japonês. Em caso de dúvida, entre em contato "
        "com o balcão abaixo.",
        "Não encontramos uma resposta segura. As perguntas próximas abaixo podem estar em "
        "japonês. "
        "Entre em contato com o balcão abaixo.",
        "Esta resposta é exibida em inglês (versão fornecida pelo município). Em caso de "
        "dúvida, entre em contato com o balcão abaixo.",
    ),
}


@dataclass(frozen=True)
class ChatAnswer:
    query: str
    log_id: uuid.UUID | None
    confident: bool
    confidence: float
    answer: selectors.AnswerView | None
    alternatives: list[selectors.AnswerView] = field(default_factory=list)
    procedures: list[selectors.ProcedureLink] = field(default_factory=list)
    # The language the question was written in ("ja", "en", "zh", "ko", "vi", "pt"), and the
    # page's (UI) language.
    reader_language: str = "ja"
    page_language: str = "ja"

    @property
    def text_language(self) -> str:
        """The language to show the FAQ's texts in (core/localized_text.py chooses the version):
        the question's when it is not Japanese (a question in English on a Japanese page gets
        the English text), else the page's (a Japanese question on an English page too)."""
        return self.page_language if self.reader_language == "ja" else self.reader_language

    @property
    def reader_note(self) -> str:
        notes = READER_NOTES.get(self.reader_language)
        if notes is None:
            return ""
        if self.answer is None:
            return notes[1]
        return notes[2] if self.answer.has_english else notes[0]


def faq_ask(
    *, municipality: Municipality, query: str, language: str = "ja", alternatives: int = 3
) -> ChatAnswer:
    """Answer a resident's question from the municipality's FAQ and log it (masked).

    When the engine is not confident there is no answer, only the closest questions as
    "related" and the procedures of their category: the resident is told honestly.
    """
    query = " ".join(query.split())
    if not query:
        raise ValidationError("質問を入力してください。")
    if len(query) > QUESTION_MAX_CHARS:
        raise ValidationError(f"質問は{QUESTION_MAX_CHARS}文字以内で入力してください。")
    index, lock = index_cache.get_index(municipality)
    with lock:
        result = index.search(query, k=alternatives + 1)
    hit_ids = [h.doc_id for h in result.hits]
    views = selectors.answers_for(municipality=municipality, doc_ids=hit_ids)
    ranked = [views[d] for d in hit_ids if d in views]
    confident = result.confident and bool(ranked)
    answer = ranked[0] if confident else None
    others = ranked[1:] if confident else ranked
    procedures = []
    if not confident and ranked and ranked[0].category:
        procedures = selectors.related_procedures_for_category(
            municipality=municipality, category=ranked[0].category
        )
    masked = mask_personal_data(query)
    log = FaqQueryLog.objects.create(
        municipality=municipality,
        query=masked[:200],
        query_key=query_key(masked)[:200],
        language=language[:8],
        answered=confident,
        confidence=round(result.confidence, 4),
        top_doc=ranked[0].doc_id if ranked else "",
    )
    return ChatAnswer(
        query=query,
        log_id=log.public_id,
        confident=confident,
        confidence=result.confidence,
        answer=answer,
        alternatives=others[:alternatives],
        procedures=procedures,
        reader_language=detect_language(query),
        page_language=language,
    )


@dataclass(frozen=True)
class FollowUp:
    """What the chat offers after 「解決しましたか → いいえ」: ask again in other words (the
    masked question to edit), the procedures of the closest FAQ, a consultation booking, and the
    desk to contact."""

    query: str
    procedures: list[selectors.ProcedureLink]
    contact: str
    contact_en: str = ""


def faq_followup(*, municipality: Municipality, log_id: uuid.UUID) -> FollowUp | None:
    log = FaqQueryLog.objects.for_municipality(municipality).filter(public_id=log_id).first()
    if log is None:
        return None
    procedures: list[selectors.ProcedureLink] = []
    contact = contact_en = ""
    if log.top_doc:
        view = selectors.answers_for(municipality=municipality, doc_ids=[log.top_doc]).get(
            log.top_doc
        )
        if view is not None:
            procedures = list(view.procedures)
            contact, contact_en = view.contact, view.contact_en
            if not procedures and view.category:
                procedures = selectors.related_procedures_for_category(
                    municipality=municipality, category=view.category
                )
    return FollowUp(
        query=log.query, procedures=procedures[:3], contact=contact, contact_en=contact_en
    )


def faq_feedback(*, municipality: Municipality, log_id: uuid.UUID, helpful: bool) -> bool:
    """Record "解決しましたか？"; False when the log is unknown (or another municipality's)."""
    updated = (
        FaqQueryLog.objects.for_municipality(municipality)
        .filter(public_id=log_id)
        .update(helpful=helpful)
    )
    return updated == 1


@transaction.atomic
def faq_draft_from_query(*, municipality: Municipality, query_key_value: str) -> FaqEntry:
    """Turn an (unanswered) question into a draft FAQ; its logs point at the draft."""
    logs = FaqQueryLog.objects.for_municipality(municipality).filter(query_key=query_key_value)
    example = logs.order_by("-created_at").first()
    if example is None:
        raise ValidationError("この質問の記録が見つかりません。")
    if example.draft_id is not None:
        draft = FaqEntry.objects.for_municipality(municipality).filter(pk=example.draft_id).first()
        if draft is not None:
            return draft
    draft = faq_entry_create(
        municipality=municipality,
        question=example.query,
        answer="（回答を書いてください）",
        status=Status.DRAFT,
    )
    logs.update(draft=draft)
    return draft


def faq_logs_purge(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete query logs older than the retention period; returns how many."""
    days = log_retention_days() if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = FaqQueryLog.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- Index builds in the background ------------------------------------------------------------

INDEX_JOB_KIND = "faq.index"


def faq_index_build_start(*, municipality: Municipality, actor: Any = None) -> Job:
    """Queue a build of the municipality's search index (e.g. after a CSV import), so that no
    resident's question pays for it; processes then load the stored index."""
    with transaction.atomic():
        job = job_create(kind=INDEX_JOB_KIND, municipality=municipality, started_by=actor, total=1)
        job_enqueue(job=job)
    return job


def faq_index_build_ensure(*, municipality: Municipality) -> None:
    """Queue a build of the municipality's index unless one is queued or running already (an
    entry was saved and no index is stored: a new municipality, or FAQ_INDEX_DIR lost)."""
    latest = job_latest(municipality=municipality, kind=INDEX_JOB_KIND)
    if latest is not None and latest.state in (Job.State.QUEUED, Job.State.RUNNING):
        return
    faq_index_build_start(municipality=municipality)


def faq_index_build_work(job: Job, progress: Progress) -> None:
    progress.advance(done=0, total=1)
    index_cache.build_and_save(job.municipality)
    progress.advance(done=1)
