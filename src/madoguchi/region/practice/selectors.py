"""Reads of the good-practice library: who sees which case, the ranked search, and a case's
effects and adopters.

Who sees a case:
- its own municipality, in every state;
- the prefecture's DX team, every case of the prefecture's municipalities (drafts included);
- the prefecture's other municipalities and viewers, once published;
- anyone else (another prefecture's municipalities and users), once published and public.
Anything else is "not found", like tenancy.access.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import translation

from madoguchi.procedures.search import SearchDocument, ranker_for
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality

from ..models import Adoption, PracticeCase, PracticeStatus, PracticeTheme
from ..survey.selectors import POPULATION_CLASSES, population_class
from .themes import THEME_WORDS

MAX_RESULTS = 100


@dataclass(frozen=True)
class Reader:
    """Who reads the library: a municipality, or a prefecture (with or without its drafts)."""

    scope: Scope
    prefecture_id: int | None
    drafts: bool = False  # the prefecture's DX team

    @classmethod
    def of(cls, scope: Scope, *, dx_team: bool) -> Reader:
        if scope.prefecture_id is not None:
            return cls(scope, scope.prefecture_id, drafts=dx_team)
        municipality = scope.municipalities().first()
        return cls(scope, municipality.prefecture_id if municipality else None)

    @property
    def municipality_id(self) -> int | None:
        return self.scope.municipality_id


def visible(reader: Reader) -> QuerySet[PracticeCase]:
    if reader.prefecture_id is None:
        return PracticeCase.objects.none()
    published = Q(status=PracticeStatus.PUBLISHED)
    home = Q(municipality__prefecture_id=reader.prefecture_id)
    seen = published & (home | Q(is_public=True))
    if reader.municipality_id is not None:
        seen |= Q(municipality_id=reader.municipality_id)
    elif reader.drafts:
        seen |= home
    return PracticeCase.objects.filter(seen).select_related("municipality")


def case_get(*, reader: Reader, pk: int) -> PracticeCase:
    found = (
        visible(reader)
        .filter(pk=pk)
        .prefetch_related(
            "effects",
            Prefetch("adoptions", queryset=Adoption.objects.select_related("municipality")),
        )
        .first()
    )
    if found is None:
        raise Http404
    return found


def own_case(*, municipality: Municipality, pk: int) -> PracticeCase:
    """A case of the municipality itself (for its edits); another's is not found."""
    found = PracticeCase.objects.filter(municipality=municipality, pk=pk).first()
    if found is None:
        raise Http404
    return found


def review_case(*, prefecture_id: int, pk: int) -> PracticeCase:
    found = PracticeCase.objects.filter(municipality__prefecture_id=prefecture_id, pk=pk).first()
    if found is None:
        raise Http404
    return found


def adoption_of(*, case: PracticeCase, municipality: Municipality) -> Adoption | None:
    return Adoption.objects.filter(case=case, municipality=municipality).first()


def has_examples(*, prefecture_id: int) -> bool:
    return PracticeCase.objects.filter(
        municipality__prefecture_id=prefecture_id, is_example=True
    ).exists()


def theme_labels() -> dict[str, str]:
    return {value: str(label) for value, label in PracticeTheme.choices}


def population_labels() -> list[str]:
    return [label for _upper, label in POPULATION_CLASSES]


def _document(case: PracticeCase) -> SearchDocument:
    """A case as the procedure search reads a procedure: its name, its words (the case's own,
    its themes' names and everyday words), its place, and what was done and achieved."""
    with translation.override("ja"):
        themes = " ".join(f"{PracticeTheme(t).label} {THEME_WORDS.get(t, '')}" for t in case.themes)
    effects = " ".join(e.label for e in case.effects.all())
    return SearchDocument(
        key=case.pk,
        fields=(
            ("name", case.title),
            ("keywords", f"{case.keywords} {themes}"),
            ("life_events", case.municipality.name),
            ("summary", f"{case.background}\n{case.summary}\n{effects}"),
        ),
    )


def search(
    *, reader: Reader, query: str = "", theme: str = "", population: str = ""
) -> list[PracticeCase]:
    """Published cases the reader may see, filtered by theme and the national population class
    (the survey's one rule), ranked by the query when there is one (newest first otherwise)."""
    cases = list(
        visible(reader)
        .filter(status=PracticeStatus.PUBLISHED)
        .prefetch_related("effects", "adoptions")
    )
    for case in cases:
        case.population_class = population_class(case.municipality.population)  # type: ignore[attr-defined]
    if theme:
        cases = [c for c in cases if theme in c.themes]
    if population:
        cases = [c for c in cases if c.population_class == population]  # type: ignore[attr-defined]
    if not query.strip():
        return cases[:MAX_RESULTS]
    by_pk = {c.pk: c for c in cases}
    ranked = ranker_for(tuple(_document(c) for c in cases)).rank(query)
    return [by_pk[pk] for pk, _score in ranked[:MAX_RESULTS]]


def own_cases(*, municipality: Municipality) -> list[PracticeCase]:
    return list(
        PracticeCase.objects.filter(municipality=municipality).order_by("-updated_at", "-pk")
    )


def in_review(*, prefecture_id: int) -> list[PracticeCase]:
    return list(
        PracticeCase.objects.filter(
            municipality__prefecture_id=prefecture_id, status=PracticeStatus.IN_REVIEW
        )
        .select_related("municipality")
        .order_by("submitted_at", "pk")
    )


def adopted(*, municipality: Municipality) -> list[Adoption]:
    """The published cases the municipality took up (with its result, once reported); a case
    its author took back to a draft is out of sight until published again."""
    return list(
        Adoption.objects.filter(municipality=municipality, case__status=PracticeStatus.PUBLISHED)
        .select_related("case__municipality")
        .order_by("-started_on", "-pk")
    )
