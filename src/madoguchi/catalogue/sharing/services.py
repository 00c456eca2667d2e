"""Writes: publish shared procedures, adopt them, keep local overrides, take updates.

As with the FAQ's shared sets (faq/), the nation or a prefecture offers and a municipality
chooses; unlike an FAQ entry, a procedure's form is versioned, so a municipality keeps the
version it took until it decides to take the next one (an application in progress must not
change under a resident's feet, and a town may need to update its counter first).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import StaffUser
from madoguchi.catalogue.models import ProcedureAdoption, SharedProcedure, SharedProcedureVersion
from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction
from madoguchi.procedures.library import load_library
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.services import (
    procedure_close,
    procedure_data_validate,
    procedure_import,
)
from madoguchi.tenancy.models import Municipality, Prefecture

from . import selectors

# The step that carries a municipality's own fields, placed before the final step (the
# declaration and consent of every library form).
LOCAL_STEP_KEY = "local"
# Written into the procedure's description: content (Japanese, like the rest of the description),
# not an interface string.
CONTACT_HEADING = "【お問い合わせ先】"
# What only the adopting municipality decides, never the publisher.
_LOCAL_ONLY = ("is_published", "sort_order")


# --- Publishing --------------------------------------------------------------------------------


@transaction.atomic
def shared_procedure_publish(
    *,
    prefecture: Prefecture | None,
    data: Mapping[str, Any],
    note: str = "",
    published_by: StaffUser | None = None,
) -> SharedProcedureVersion:
    """Publish a procedure (import format, form included) as the next version of the shared
    procedure of its slug; nothing new when it equals the latest version."""
    procedure_data_validate(data)
    clean = {k: copy.deepcopy(v) for k, v in data.items() if k not in _LOCAL_ONLY}
    if clean.get("online", True) and clean.get("form") is None:
        raise ValidationError(
            _("オンライン申請を受け付ける手続には様式定義（form）が必要です。"), code="missing_form"
        )
    shared = (
        SharedProcedure.objects.select_for_update()
        .filter(prefecture=prefecture, slug=clean["slug"])
        .first()
    )
    if shared is None:
        shared = SharedProcedure(prefecture=prefecture, slug=clean["slug"])
    shared.name = str(clean.get("name") or clean["slug"])[:120]
    shared.standard_code = str(clean.get("standard_code") or "")[:80]
    shared.is_active = True
    shared.full_clean()
    shared.save()
    latest = shared.latest_version
    if latest is not None and latest.data == clean:
        return latest
    last = shared.versions.aggregate(n=Max("number"))["n"] or 0
    version = SharedProcedureVersion(
        shared=shared, number=last + 1, data=clean, note=note[:200], published_by=published_by
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def national_library_publish() -> list[SharedProcedureVersion]:
    """Offer every procedure of the standard library shipped with Madoguchi to every
    municipality; a library entry that changed (after an upgrade) becomes a new version."""
    return [
        shared_procedure_publish(prefecture=None, data=entry, note=str(_("標準ライブラリ")))
        for entry in load_library()
    ]


@transaction.atomic
def shared_procedure_withdraw(*, shared: SharedProcedure) -> SharedProcedure:
    """Stop offering it to new adopters; those who adopted keep their procedure."""
    shared.is_active = False
    shared.save(update_fields=["is_active"])
    return shared


# --- Adopting ------------------------------------------------------------------------------------


def local_data(adoption: ProcedureAdoption, version: SharedProcedureVersion) -> dict[str, Any]:
    """The municipality's procedure: the version's data with the local overrides on top."""
    data = copy.deepcopy(version.data)
    for key in _LOCAL_ONLY:
        data.pop(key, None)
    for key in ("fees", "department", "description"):
        data.setdefault(key, "")  # so that an override removed gives the shared value back
    if adoption.fees:
        data["fees"] = adoption.fees
    if adoption.department:
        data["department"] = adoption.department
    if adoption.contact.strip():
        description = str(data.get("description") or "").rstrip()
        data["description"] = (
            f"{description}\n\n" if description else ""
        ) + f"{CONTACT_HEADING}\n{adoption.contact.strip()}"
    if adoption.extra_fields and isinstance(data.get("form"), dict):
        steps = list(data["form"].get("steps", []))
        local_step = {
            "key": LOCAL_STEP_KEY,
            "title": f"{adoption.municipality.name}の確認事項",
            "title_en": "Questions from the municipality",
            "fields": copy.deepcopy(adoption.extra_fields),
        }
        steps.insert(max(len(steps) - 1, 0), local_step)
        data["form"] = {**data["form"], "steps": steps}
    return data


def _apply(
    adoption: ProcedureAdoption, version: SharedProcedureVersion, by: StaffUser | None
) -> Procedure:
    return procedure_import(
        municipality=adoption.municipality, data=local_data(adoption, version), created_by=by
    )


@transaction.atomic
def procedure_adopt(
    *, municipality: Municipality, shared: SharedProcedure, adopted_by: StaffUser | None = None
) -> ProcedureAdoption:
    """Adopt the latest version in one step: the procedure appears in the municipality's
    catalogue, published. A procedure of the same slug installed earlier (from the standard
    library) becomes the adopted one, so its applications stay where they are."""
    if (
        not selectors.offered_shared_procedures(municipality=municipality)
        .filter(pk=shared.pk)
        .exists()
    ):
        raise ValidationError(_("この共通手続は採用できません。"), code="not_offered")
    existing = (
        ProcedureAdoption.objects.for_municipality(municipality).filter(shared=shared).first()
    )
    if existing is not None:
        return existing
    version = shared.latest_version
    if version is None:
        raise ValidationError(
            _("この共通手続にはまだ公開された版がありません。"), code="no_version"
        )
    slug = str(version.data["slug"])
    local = Procedure.objects.for_municipality(municipality).filter(slug=slug).first()
    if local is not None and ProcedureAdoption.objects.filter(procedure=local).exists():
        raise ValidationError(
            _("同じ識別名（%(slug)s）の手続が別の共通手続から採用されています。"),
            code="slug_taken",
            params={"slug": slug},
        )
    data = local_data(ProcedureAdoption(municipality=municipality), version)
    if local is None:
        data["is_published"] = True
    procedure = procedure_import(municipality=municipality, data=data, created_by=adopted_by)
    adoption = ProcedureAdoption(
        municipality=municipality, shared=shared, procedure=procedure, version=version
    )
    adoption.full_clean()
    adoption.save()
    return adoption


@transaction.atomic
def adoption_overrides_update(
    *,
    adoption: ProcedureAdoption,
    fees: str = "",
    department: str = "",
    contact: str = "",
    extra_fields: list[Any] | None = None,
    changed_by: StaffUser | None = None,
) -> ProcedureAdoption:
    """Change the local overrides and apply them to the procedure (a new form version only
    when the municipality's own fields changed). Empty keeps the shared value."""
    adoption.fees = fees.strip()
    adoption.department = department.strip()
    adoption.contact = contact.strip()
    adoption.extra_fields = list(extra_fields or [])
    adoption.full_clean()
    _apply(adoption, adoption.version, changed_by)  # validates the merged form first
    adoption.save()
    return adoption


@transaction.atomic
def adoption_withdraw(*, adoption: ProcedureAdoption, withdrawn_by: StaffUser) -> Procedure:
    """The municipality stops using a shared procedure: its procedure is closed to new
    applications (unpublished), applications already made keep their form version, and the
    link to the shared procedure goes (no more updates are offered). Audited.

    Adopting it again later finds the same procedure (same slug) and links it anew.
    """
    adoption = ProcedureAdoption.objects.select_for_update().get(pk=adoption.pk)
    procedure = procedure_close(procedure=adoption.procedure)
    audit_record(
        actor=withdrawn_by,
        action=AuditAction.WITHDRAW_ADOPTION,
        municipality=adoption.municipality,
        obj=adoption,
    )
    adoption.delete()
    return procedure


@transaction.atomic
def adoption_update_take(
    *, adoption: ProcedureAdoption, taken_by: StaffUser | None = None
) -> ProcedureAdoption:
    """Take the latest version: the procedure is rebuilt from it with the overrides kept.
    Applications already submitted keep the form version they were made with."""
    adoption = ProcedureAdoption.objects.select_for_update().get(pk=adoption.pk)
    latest = adoption.shared.latest_version
    if latest is None or latest.number <= adoption.version.number:
        return adoption
    _apply(adoption, latest, taken_by)
    adoption.version = latest
    adoption.save(update_fields=["version", "updated_at"])
    return adoption
