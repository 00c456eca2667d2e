"""Reads for printing: a procedure's layout, an application as a PDF, who may print what."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count
from django.http import Http404
from django.utils import timezone, translation

from madoguchi.accounts.models import StaffUser
from madoguchi.applications import staff_scope
from madoguchi.applications.models import Application, Channel
from madoguchi.core.sql_time import local_day_bounds
from madoguchi.procedures.formdef import FormDefinition, parse_definition
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.access import Scope, access_tenant_object
from madoguchi.tenancy.models import Municipality

from .models import CounterCase, CounterStation, CounterVisit, PreInputRedemption, PrintLayout
from .print import LayoutSpec, PrintDocument, print_document, render_pdf
from .visit import Suggestion, suggestions, visit_facts


def print_layout_spec(*, procedure: Procedure) -> LayoutSpec:
    """The procedure's stored layout; the generated A4 layout when none is stored."""
    layout = (
        PrintLayout.objects.for_municipality(procedure.municipality)
        .filter(procedure=procedure)
        .first()
    )
    if layout is None or layout.kind == PrintLayout.Kind.GENERATED:
        return LayoutSpec()
    base_pdf = None
    if layout.base_pdf:
        with layout.base_pdf.open("rb") as handle:
            base_pdf = handle.read()
    return LayoutSpec(kind=layout.kind, placements=layout.placements, base_pdf=base_pdf)


def _definition(data: Any) -> FormDefinition:
    # The official form is Japanese whatever language the reader uses.
    with translation.override("ja"):
        return parse_definition(data)


def application_document(
    *, application: Application, printed_on: date | None = None
) -> PrintDocument:
    with translation.override("ja"):
        return print_document(
            definition=_definition(application.form_version.definition),
            answers=application.answers,
            municipality=application.municipality.name,
            procedure=application.procedure.name,
            printed_on=printed_on or timezone.localdate(),
            receipt_number=application.receipt_number,
            submitted_on=timezone.localdate(application.submitted_at),
        )


def application_pdf(*, application: Application, printed_on: date | None = None) -> bytes:
    """The application's official form as PDF bytes (raises MissingGlyphs, LayoutError)."""
    if application.is_purged:
        raise Http404
    document = application_document(application=application, printed_on=printed_on)
    return render_pdf(document, print_layout_spec(procedure=application.procedure))


def access_printable_application(*, user: StaffUser, application_id: int) -> Application:
    """An application the staff member may print; 404 when missing, another town's or not theirs.

    Back-office staff print what they may process (their departments); counter staff, who have
    no back office, print the applications taken at the counter of their own municipality.
    """
    assert user.municipality is not None
    if staff_scope.can_use_back_office(user):
        application = staff_scope.access_application(user=user, application_id=application_id)
    else:
        application = access_tenant_object(
            Application, municipality=user.municipality, pk=application_id, channel=Channel.COUNTER
        )
    return (
        Application.objects.for_municipality(user.municipality)
        .select_related("procedure", "form_version", "municipality")
        .get(pk=application.pk)
    )


def preinput_redemption_counts(*, scope: Scope, first: date, last: date) -> dict[int, int]:
    """Read contract (region): pre-inputs taken in at the counter per municipality id in the
    scope, local days `first` through `last` (both modes; municipalities with none left out)."""
    start, end = local_day_bounds(first, last)
    rows = (
        scope.filter(PreInputRedemption.objects.all())
        .filter(redeemed_at__gte=start, redeemed_at__lt=end)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["municipality_id"]: row["n"] for row in rows}


# --- Counter mode -----------------------------------------------------------------------------


def access_counter_case(*, user: StaffUser, case_id: int) -> CounterCase:
    """A counter case of the staff member's municipality; 404 when missing or another town's."""
    assert user.municipality is not None
    case = (
        CounterCase.objects.for_municipality(user.municipality)
        .select_related("procedure", "form_version", "station", "application")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def counter_cases_open(*, user: StaffUser) -> list[CounterCase]:
    """The staff member's own forms still being filled or confirmed (newest first)."""
    assert user.municipality is not None
    return list(
        CounterCase.objects.for_municipality(user.municipality)
        .filter(
            staff=user,
            status__in=[CounterCase.Status.EDITING, CounterCase.Status.CONFIRMING],
        )
        .select_related("procedure")
        .order_by("-updated_at")[:20]
    )


def counter_stations(*, municipality: Municipality) -> list[CounterStation]:
    return list(
        CounterStation.objects.for_municipality(municipality)
        .filter(revoked_at__isnull=True)
        .order_by("name")
    )


def counter_procedures(*, municipality: Municipality) -> list[Procedure]:
    """Procedures staff can fill at the counter: published, with a current form."""
    return list(
        Procedure.objects.for_municipality(municipality)
        .filter(is_published=True, form_versions__isnull=False)
        .distinct()
        .order_by("sort_order", "name")
    )


# --- A visit at the counter (one scan, several procedures) -------------------------------------


def access_counter_visit(*, user: StaffUser, visit_id: int) -> CounterVisit:
    """A scanned visit of the staff member's municipality; 404 when missing or another town's."""
    assert user.municipality is not None
    visit = (
        CounterVisit.objects.for_municipality(user.municipality)
        .select_related("life_event", "municipality", "station")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def counter_visit_suggestions(*, visit: CounterVisit, today: date) -> list[Suggestion]:
    """The related procedures the visit's answers make likely, among those the municipality
    publishes and the visit does not hold yet."""
    offered = Procedure.objects.for_municipality(visit.municipality).filter(
        is_published=True, form_versions__isnull=False
    )
    facts = visit_facts(
        event=visit.life_event.slug if visit.life_event else "",
        shared=visit.shared,
        answers=[i["answers"] for i in visit.items],
        today=today,
    )
    return suggestions(
        facts,
        offered=offered.values_list("slug", flat=True),
        already=[i["procedure"] for i in visit.items],
    )


def counter_visit_cases(*, visit: CounterVisit) -> list[CounterCase]:
    return list(
        CounterCase.objects.for_municipality(visit.municipality)
        .filter(visit=visit)
        .select_related("procedure", "application")
        .order_by("pk")
    )


def procedures_by_slug(*, municipality: Municipality, slugs: list[str]) -> dict[str, Procedure]:
    return {
        p.slug: p for p in Procedure.objects.for_municipality(municipality).filter(slug__in=slugs)
    }
