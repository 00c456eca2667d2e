"""The form builder's reads: procedures with their drafts, a draft's state, versions, diffs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.procedures.formdef import DefinitionError, FormDefinition, parse_definition
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality

from .builder.checks import Finding, findings_by_path, run_checks
from .builder.diff import Change, definition_diff
from .builder.editing import NodePath, node_path_of, walk
from .models import FormDraft, FormDraftEvent
from .models.builder import OPEN_STATUSES


@dataclass(frozen=True)
class ProcedureRow:
    procedure: Procedure
    draft: FormDraft | None
    version_number: int | None


def builder_procedures(*, municipality: Municipality) -> list[ProcedureRow]:
    procedures = list(
        Procedure.objects.for_municipality(municipality).order_by("sort_order", "name")
    )
    drafts = {
        d.procedure_id: d
        for d in FormDraft.objects.filter(municipality=municipality, status__in=OPEN_STATUSES)
    }
    numbers: dict[int, int] = {}
    for procedure_id, number in FormVersion.objects.filter(
        procedure__municipality=municipality
    ).values_list("procedure_id", "number"):
        numbers[procedure_id] = max(number, numbers.get(procedure_id, 0))
    return [ProcedureRow(p, drafts.get(p.pk), numbers.get(p.pk)) for p in procedures]


def builder_procedure(*, municipality: Municipality, slug: str) -> Procedure:
    """Any procedure of the municipality (Http404 for another municipality's)."""
    return access_tenant_object(Procedure, municipality=municipality, slug=slug)


def open_draft(*, procedure: Procedure) -> FormDraft | None:
    return (
        FormDraft.objects.filter(
            municipality=procedure.municipality, procedure=procedure, status__in=OPEN_STATUSES
        )
        .select_related("submitted_by")
        .first()
    )


def draft_history(*, procedure: Procedure) -> QuerySet[FormDraftEvent]:
    return (
        FormDraftEvent.objects.filter(
            municipality=procedure.municipality, draft__procedure=procedure
        )
        .select_related("actor", "draft")
        .order_by("-at", "-pk")[:30]
    )


def published_drafts(*, procedure: Procedure) -> dict[int, FormDraft]:
    """Version number -> the draft that became it (who edited, who approved)."""
    return {
        d.published_version.number: d
        for d in FormDraft.objects.filter(
            municipality=procedure.municipality,
            procedure=procedure,
            published_version__isnull=False,
        ).select_related("published_version", "submitted_by", "approved_by")
        if d.published_version is not None
    }


def versions(*, procedure: Procedure) -> QuerySet[FormVersion]:
    return procedure.form_versions.select_related("created_by").order_by("-number")


def version_definition(*, procedure: Procedure, number: int) -> dict[str, Any]:
    try:
        version = procedure.form_versions.get(number=number)
    except FormVersion.DoesNotExist as exc:
        raise Http404 from exc
    definition: dict[str, Any] = version.definition
    return definition


@dataclass
class DraftState:
    """What the editor shows: the parser's verdict (the first error, by path) and the checks."""

    definition: dict[str, Any]
    parsed: FormDefinition | None
    error: DefinitionError | None
    error_node: str  # the step or field the error is about ("" for the whole form)
    error_rest: str  # the rest of its path (the attribute)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    nodes: list[tuple[NodePath, dict[str, Any]]] = field(default_factory=list)

    @property
    def finding_count(self) -> int:
        return sum(len(v) for v in self.findings.values())


def definition_state(definition: dict[str, Any]) -> DraftState:
    parsed: FormDefinition | None = None
    error: DefinitionError | None = None
    try:
        parsed = parse_definition(definition)
    except DefinitionError as exc:
        error = exc
    node, rest = node_path_of(error.path) if error else (None, "")
    return DraftState(
        definition=definition,
        parsed=parsed,
        error=error,
        error_node=str(node) if node else "",
        error_rest=rest,
        findings=findings_by_path(run_checks(definition)),
        nodes=walk(definition),
    )


def draft_diff(
    *, procedure: Procedure, draft: FormDraft | None, old: int | None, new: int | None
) -> list[Change]:
    """The changes from version `old` (None: the draft's base) to version `new` (None: the draft)."""
    if new is None:
        if draft is None:
            raise Http404
        after = draft.definition
    else:
        after = version_definition(procedure=procedure, number=new)
    if old is None:
        base = draft.base_version if draft is not None else None
        before: Any = base.definition if base is not None else {}
    else:
        before = version_definition(procedure=procedure, number=old)
    return definition_diff(before, after)


def definition_json(definition: Any) -> str:
    """The export: the same JSON format the command line imports."""
    return json.dumps(definition, ensure_ascii=False, indent=2) + "\n"
