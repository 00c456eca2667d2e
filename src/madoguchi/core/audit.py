"""Write and read the audit record (core.models.AuditEvent)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from .models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    municipality: Any,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    count: int = 1,
    view: str = "",
    search: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` (a staff user, or an API token's name) did `action` to an object.

    Pass the object itself, or its type and id; no personal data goes into the row.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = actor.get_username() if user is not None else str(actor)
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_label=label[:150],
        municipality=municipality,
        action=action,
        object_type=object_type,
        object_id=object_id,
        count=count,
        view=view[:100],
        search=search or {},
    )


def audit_events(
    *, municipality: Any, object_type: str = "", object_id: str = "", actor_label: str = ""
) -> QuerySet[AuditEvent]:
    """The audit record of one municipality, newest first, optionally for one object or actor."""
    qs = AuditEvent.objects.filter(municipality=municipality)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_label:
        qs = qs.filter(actor_label=actor_label)
    return qs.select_related("actor").order_by("-at", "-pk")
