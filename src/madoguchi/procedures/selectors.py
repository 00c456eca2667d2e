"""Reads of the procedure catalogue, always scoped to one municipality."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Case, Count, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import get_language

from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality

from .formdef import FormDefinition, parse_definition
from .formdef.localize import localize_definition_data
from .models import Category, Channel, FormVersion, LifeEvent, LifeEventProcedure, Procedure
from .search import SearchDocument, ranker_for


def _published(municipality: Municipality) -> QuerySet[Procedure]:
    return Procedure.objects.for_municipality(municipality).filter(is_published=True)  # type: ignore[no-any-return]


def procedure_list(
    *,
    municipality: Municipality,
    query: str = "",
    category: str = "",
    channel: str = "",
) -> QuerySet[Procedure]:
    """Published procedures of a municipality, filtered by words, category and channel.

    With a `query`, procedures are ranked by the Japanese analysis of `search.py` (name,
    summary, keywords and life events) and only those that match are returned, best first.
    An unknown category or channel gives none.
    """
    qs = _published(municipality)
    if category:
        qs = qs.filter(category=category) if category in Category.values else qs.none()
    if channel:
        if channel not in Channel.values:
            return qs.none()
        qs = qs.filter(**{channel: True})
    if not query.strip():
        return qs.order_by("sort_order", "name")
    ranked = ranker_for(_search_documents(municipality)).rank(query)
    allowed = set(qs.values_list("pk", flat=True))
    order = [pk for pk, _score in ranked if pk in allowed]
    if not order:
        return qs.none()
    return qs.filter(pk__in=order).order_by(
        Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(order)])
    )


def _search_documents(municipality: Municipality) -> tuple[SearchDocument, ...]:
    """Every published procedure of the municipality as a search document (its life events'
    names and keywords included)."""
    events: dict[int, list[str]] = {}
    links = LifeEventProcedure.objects.filter(life_event__municipality=municipality).values_list(
        "procedure_id", "life_event__name", "life_event__name_en", "life_event__search_keywords"
    )
    for procedure_id, *texts in links:
        events.setdefault(procedure_id, []).extend(t for t in texts if t)
    rows = _published(municipality).values_list(
        "pk", "name", "name_en", "summary", "search_keywords"
    )
    return tuple(
        SearchDocument(
            key=pk,
            fields=(
                ("name", f"{name} {name_en}"),
                ("summary", summary),
                ("keywords", keywords),
                ("life_events", " ".join(events.get(pk, []))),
            ),
        )
        for pk, name, name_en, summary, keywords in rows.order_by("sort_order", "name")
    )


def life_event_list(*, municipality: Municipality) -> QuerySet[LifeEvent]:
    """The municipality's life events that group at least one published procedure."""
    return (  # type: ignore[no-any-return]
        LifeEvent.objects.for_municipality(municipality)
        .filter(procedures__is_published=True)
        .distinct()
        .order_by("sort_order", "name")
    )


def life_event_get(*, municipality: Municipality, slug: str) -> LifeEvent:
    """A life event of the municipality; Http404 when missing or another municipality's."""
    return access_tenant_object(LifeEvent, municipality=municipality, slug=slug)


def life_event_procedures(*, life_event: LifeEvent) -> QuerySet[Procedure]:
    """The published procedures of a life event, in the event's order."""
    return (  # type: ignore[no-any-return]
        Procedure.objects.for_municipality(life_event.municipality)
        .filter(is_published=True, life_event_links__life_event=life_event)
        .order_by("life_event_links__position", "sort_order", "name")
    )


def procedure_get(*, municipality: Municipality, slug: str) -> Procedure:
    """A published procedure; Http404 when missing, unpublished or another municipality's."""
    return access_tenant_object(Procedure, municipality=municipality, slug=slug, is_published=True)


def procedure_get_for_staff(*, municipality: Municipality, slug: str) -> Procedure:
    """Any procedure of the municipality, published or not (staff screens)."""
    return access_tenant_object(Procedure, municipality=municipality, slug=slug)


def form_version_current(*, procedure: Procedure) -> FormVersion:
    """The newest form version; Http404 if the procedure has no form yet."""
    version = procedure.current_version
    if version is None:
        raise Http404
    return version


def published_form_version(
    *, municipality: Municipality, slug: str, number: int
) -> FormVersion | None:
    """A version of a published procedure's form with its procedure, in one query (the hot
    path of a submission); None when the procedure or the version does not exist."""
    return (
        FormVersion.objects.select_related("procedure")
        .filter(
            procedure__municipality=municipality,
            procedure__slug=slug,
            procedure__is_published=True,
            number=number,
        )
        .first()
    )


def form_version_get(*, procedure: Procedure, number: int) -> FormVersion:
    """A given version of a procedure's form (e.g. the one a draft was started on)."""
    try:
        return procedure.form_versions.get(number=number)
    except FormVersion.DoesNotExist as exc:
        raise Http404 from exc


@lru_cache(maxsize=512)
def _parsed(version_pk: int, definition_json: str, language: str) -> FormDefinition:
    return parse_definition(localize_definition_data(json.loads(definition_json), language))


def form_version_definition(*, form_version: FormVersion) -> FormDefinition:
    """The parsed definition of a version in the active language (cached: versions never
    change; English texts replace the Japanese ones where the definition has them)."""
    language = "en" if (get_language() or "").startswith("en") else "ja"
    return _parsed(form_version.pk, json.dumps(form_version.definition, sort_keys=True), language)


@dataclass(frozen=True)
class CategoryCount:
    value: str
    label: str
    count: int


def category_counts(*, municipality: Municipality) -> list[CategoryCount]:
    """Published procedures per category, in the categories' order, empty ones left out."""
    counts: dict[str, Any] = dict(
        _published(municipality)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return [
        CategoryCount(value, str(label), counts[value])
        for value, label in Category.choices
        if counts.get(value)
    ]
