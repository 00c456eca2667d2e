"""The ticket a clerk is serving, for the counter's applications (applications.creation)."""

from __future__ import annotations

from django.utils import timezone

from madoguchi.applications.creation import VisitTicketRef, visit_ticket_lookup

from .models import Ticket


@visit_ticket_lookup
def serving_ticket(municipality_id: int, staff_id: int) -> VisitTicketRef | None:
    ticket = (
        Ticket.objects.filter(
            municipality_id=municipality_id,
            staff_id=staff_id,
            day=timezone.localdate(),
            status=Ticket.Status.SERVING,
        )
        .order_by("-started_at")
        .first()
    )
    return VisitTicketRef(ticket.pk, ticket.display_number) if ticket is not None else None
