"""The form builder's writes: start a draft, edit it, send it for review, publish it.

A draft is edited as the definition's JSON (builder/editing.py makes each edit); every change
takes the draft's revision the editor saw, so an edit made on a stale page is refused instead
of silently undoing someone else's. Publishing goes through procedures' one service for form
versions (`form_version_create`), so a published version is immutable and applications keep
the version they were submitted against.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.procedures.formdef import DefinitionError, parse_definition
from madoguchi.procedures.models import Category, Procedure
from madoguchi.procedures.services import form_version_create
from madoguchi.tenancy.models import Municipality

from .models import DraftAction, DraftStatus, FormDraft, FormDraftEvent
from .models.builder import EDITING_ACTIONS, OPEN_STATUSES

Edit = Callable[[dict[str, Any]], dict[str, Any]]

# The form a new procedure starts with: one page asking for the applicant's name.
STARTER_DEFINITION: dict[str, Any] = {
    "format": 1,
    "steps": [
        {
            "key": "applicant",
            "title": "申請する人",
            "title_en": "Applicant",
            "fields": [
                {
                    "key": "applicant_name",
                    "type": "name",
                    "label": "氏名",
                    "label_en": "Name",
                    "required": True,
                    "role": "applicant_name",
                }
            ],
        }
    ],
}
IMPORT_MAX_BYTES = 500_000


class StaleDraft(ValidationError):
    """Someone changed the draft since this page was shown."""


def _event(draft: FormDraft, actor: StaffUser, action: str, note: str = "") -> None:
    FormDraftEvent.objects.create(
        municipality=draft.municipality,
        draft=draft,
        actor=actor,
        action=action,
        note=note.replace("\x00", "")[:300],
    )


def _locked(draft: FormDraft) -> FormDraft:
    return FormDraft.objects.select_for_update().get(pk=draft.pk, municipality=draft.municipality)


def _invalid(definition: Any) -> DefinitionError | None:
    try:
        parse_definition(definition)
    except DefinitionError as exc:
        return exc
    return None


def _definition_error(error: DefinitionError) -> ValidationError:
    return ValidationError(
        _("様式定義に誤りがあります。場所：%(path)s　内容：%(detail)s"),
        code="invalid_definition",
        params={"path": error.path or _("（全体）"), "detail": error.message},
    )


@transaction.atomic
def procedure_create(
    *,
    municipality: Municipality,
    actor: StaffUser,
    slug: str,
    name: str,
    name_en: str = "",
    category: str = Category.OTHER,
    summary: str = "",
    department: str = "",
) -> FormDraft:
    """A new procedure (not yet shown to residents) with a draft form to build."""
    procedure = Procedure(
        municipality=municipality,
        slug=slug,
        name=name,
        name_en=name_en,
        category=category,
        summary=summary,
        department=department,
        online=True,
        is_published=False,
    )
    procedure.full_clean()
    procedure.save()
    definition = {**STARTER_DEFINITION, "title": name}
    if name_en:
        definition["title_en"] = name_en
    return _draft_create(procedure=procedure, actor=actor, definition=definition, base=None)


def _draft_create(
    *, procedure: Procedure, actor: StaffUser, definition: dict[str, Any], base: Any
) -> FormDraft:
    draft = FormDraft(
        municipality=procedure.municipality,
        procedure=procedure,
        definition=definition,
        base_version=base,
    )
    draft.full_clean()
    draft.save()
    _event(draft, actor, DraftAction.CREATED)
    return draft


@transaction.atomic
def draft_start(*, procedure: Procedure, actor: StaffUser) -> FormDraft:
    """The procedure's open draft, or a new one copied from its newest version."""
    Procedure.objects.select_for_update().filter(
        pk=procedure.pk, municipality=procedure.municipality
    ).first()
    existing = FormDraft.objects.filter(
        municipality=procedure.municipality, procedure=procedure, status__in=OPEN_STATUSES
    ).first()
    if existing is not None:
        return existing
    base = procedure.current_version
    definition = json.loads(json.dumps(base.definition)) if base else dict(STARTER_DEFINITION)
    return _draft_create(procedure=procedure, actor=actor, definition=definition, base=base)


@transaction.atomic
def draft_edit(
    *,
    draft: FormDraft,
    actor: StaffUser,
    revision: int,
    edit: Edit,
    note: str = "",
    action: str = DraftAction.EDITED,
) -> FormDraft:
    """Apply one edit to a draft being edited. The result may not parse yet: the editor shows
    the parser's error beside the field, and review waits until it does."""
    locked = _locked(draft)
    if locked.status != DraftStatus.DRAFT:
        raise ValidationError(
            _("確認待ちの下書きは編集できません。差し戻してから編集してください。"),
            code="not_editable",
        )
    if locked.revision != revision:
        raise StaleDraft(
            _(
                "ほかの人が先にこの下書きを変更しました。画面を開き直してから、もう一度変更してください。"
            ),
            code="stale",
        )
    changed = edit(locked.definition)
    if changed == locked.definition:
        return locked
    locked.definition = changed
    locked.revision += 1
    locked.full_clean()
    locked.save()
    _event(locked, actor, action, note)
    return locked


def draft_import(*, draft: FormDraft, actor: StaffUser, revision: int, text: str) -> FormDraft:
    """Replace the draft's form by a JSON definition (the format the command line imports);
    refused, naming the place, if the parser refuses it."""
    if len(text.encode()) > IMPORT_MAX_BYTES:
        raise ValidationError(_("JSON が大きすぎます（500KB まで）。"), code="too_large")
    if "\x00" in text or "\\u0000" in text:
        # PostgreSQL's jsonb cannot hold a NUL character; no form needs one.
        raise ValidationError(_("JSON に使えない文字（NUL）が含まれています。"), code="nul")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(
            _("JSON として読めません（%(line)d行目）。"),
            code="invalid_json",
            params={"line": getattr(exc, "lineno", 0)},
        ) from None
    if isinstance(data, dict) and isinstance(data.get("form"), dict):
        data = data["form"]  # a whole procedure file (as `procedures_import` reads)
    error = _invalid(data)
    if error is not None:
        raise _definition_error(error)
    return draft_edit(
        draft=draft,
        actor=actor,
        revision=revision,
        edit=lambda d: data,
        action=DraftAction.IMPORTED,
    )


def draft_editors(draft: FormDraft) -> set[int]:
    """Who created, edited, imported or submitted the draft."""
    return set(
        FormDraftEvent.objects.filter(
            municipality=draft.municipality, draft=draft, action__in=EDITING_ACTIONS
        ).values_list("actor_id", flat=True)
    )


@transaction.atomic
def draft_submit(*, draft: FormDraft, actor: StaffUser, revision: int) -> FormDraft:
    """Ask for review: the draft must parse, and is locked until approved or returned."""
    locked = _locked(draft)
    if locked.status != DraftStatus.DRAFT:
        raise ValidationError(_("この下書きは編集中ではありません。"), code="not_editable")
    if locked.revision != revision:
        raise StaleDraft(
            _("ほかの人が先にこの下書きを変更しました。画面を開き直してください。"), code="stale"
        )
    error = _invalid(locked.definition)
    if error is not None:
        raise _definition_error(error)
    locked.status = DraftStatus.IN_REVIEW
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    locked.revision += 1
    locked.save()
    _event(locked, actor, DraftAction.SUBMITTED)
    return locked


@transaction.atomic
def draft_return(*, draft: FormDraft, actor: StaffUser, note: str = "") -> FormDraft:
    """Send a draft under review back for editing (by the reviewer, or its editor withdrawing)."""
    locked = _locked(draft)
    if locked.status != DraftStatus.IN_REVIEW:
        raise ValidationError(_("確認待ちの下書きではありません。"), code="not_in_review")
    locked.status = DraftStatus.DRAFT
    locked.submitted_by = None
    locked.submitted_at = None
    locked.revision += 1
    locked.save()
    _event(locked, actor, DraftAction.RETURNED, note)
    return locked


@transaction.atomic
def draft_publish(
    *, draft: FormDraft, actor: StaffUser, show_to_residents: bool = False
) -> FormDraft:
    """Approve a draft under review and publish it as the procedure's next form version.

    The approver must be someone who did not edit it. Earlier versions stay as they were, and
    applications keep the version they were submitted against.
    """
    locked = _locked(draft)
    if locked.status != DraftStatus.IN_REVIEW:
        raise ValidationError(_("公開できるのは確認待ちの下書きだけです。"), code="not_in_review")
    if actor.pk in draft_editors(locked):
        raise PermissionDenied(
            _("自分が編集した下書きは承認できません。ほかの職員に承認を頼んでください。")
        )
    error = _invalid(locked.definition)
    if error is not None:
        raise _definition_error(error)
    procedure = locked.procedure
    version = form_version_create(
        procedure=procedure, definition=locked.definition, created_by=locked.submitted_by
    )
    locked.status = DraftStatus.PUBLISHED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.published_version = version
    locked.full_clean()
    locked.save()
    if show_to_residents and not procedure.is_published:
        procedure.is_published = True
        procedure.save(update_fields=["is_published", "updated_at"])
    _event(locked, actor, DraftAction.PUBLISHED, _("第%(n)d版") % {"n": version.number})
    return locked


@transaction.atomic
def draft_discard(*, draft: FormDraft, actor: StaffUser) -> FormDraft:
    locked = _locked(draft)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(_("この下書きは破棄できません。"), code="closed")
    locked.status = DraftStatus.DISCARDED
    locked.save()
    _event(locked, actor, DraftAction.DISCARDED)
    return locked
