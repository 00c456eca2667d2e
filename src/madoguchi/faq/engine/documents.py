"""Plain data exchanged with the engine (no ORM rows: the Django app converts its models)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaqDocument:
    id: str
    question: str
    answer: str = ""
    alt_questions: tuple[str, ...] | list[str] = field(default_factory=tuple)
    keywords: tuple[str, ...] | list[str] = field(default_factory=tuple)
    category: str = ""
    # The municipality's English text, if it entered one (searched by the sentence channels).
    question_en: str = ""
    answer_en: str = ""


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits and whether the best one is trustworthy enough to show as *the* answer.

    ``confidence`` is in [0, 1]; ``confident`` is ``confidence >= threshold``. When it is False the
    chat should say honestly that it found no good answer and offer categories or the contact desk,
    possibly still listing ``hits`` as "related questions".
    """

    query: str
    hits: tuple[SearchHit, ...]
    confidence: float
    confident: bool

    @property
    def best(self) -> SearchHit | None:
        return self.hits[0] if self.hits else None
