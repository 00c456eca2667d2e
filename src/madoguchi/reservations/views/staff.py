"""Staff console: call, recall, start, finish, no-show and transfer at one window.

Every id from a URL or form is resolved within the staff member's municipality (404 otherwise).
The console page polls its state fragment and posts actions with fetch (console.js); without
JavaScript the same forms post and redirect back.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import audit_search, staff_required
from madoguchi.accounts.permissions import CONSOLE, ROTATE_KIOSK_KEY
from madoguchi.tenancy.access import access_tenant_object

from .. import selectors, services
from ..models import Service, Ticket, Window
from ._common import parse_day


def _window(request: HttpRequest, window_id: int) -> Window:
    return selectors.staff_window_get(user=staff_user(request), window_id=window_id)


@staff_required(CONSOLE, personal_data=False)
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    municipality = user.municipality
    assert municipality is not None
    policy = selectors.policy_get(municipality=municipality)
    return render(
        request,
        "reservations/staff_home.html",
        {
            "staff_municipality": municipality,
            "windows": selectors.window_list(municipality=municipality),
            "waits": selectors.service_waits(municipality=municipality),
            "kiosk_key": policy.kiosk_key if policy.pk else "",
            "can_see_bookings": user.has_perm("reservations.view_booking"),
            "can_rotate_kiosk_key": user.has_perm(ROTATE_KIOSK_KEY),
        },
    )


@require_POST
@staff_required(ROTATE_KIOSK_KEY, personal_data=False)
def kiosk_key_rotate(request: HttpRequest) -> HttpResponse:
    municipality = staff_user(request).municipality
    assert municipality is not None
    services.kiosk_key_rotate(municipality=municipality)
    messages.success(
        request, _("受付機の鍵を変更しました。受付機の端末で新しい URL を開き直してください。")
    )
    return redirect("reservations_staff:settings")


@staff_required("reservations.view_booking", personal_data=True, list_view=True)
def bookings(request: HttpRequest) -> HttpResponse:
    municipality = staff_user(request).municipality
    assert municipality is not None
    day = parse_day(request.GET.get("date")) or timezone.localdate()
    rows = list(selectors.bookings_for_day(municipality=municipality, day=day))
    audit_search(request, {"date": day.isoformat()}, count=len(rows))
    return render(request, "reservations/staff_bookings.html", {"day": day, "bookings": rows})


def _console_context(request: HttpRequest, window: Window) -> dict[str, Any]:
    now = timezone.now()
    handled = list(window.services.filter(is_active=True))
    queue = selectors.waiting_tickets(municipality=window.municipality, services=handled, now=now)
    return {
        "window": window,
        "current": selectors.window_current_ticket(window=window, now=now),
        "queue": list(queue[:30]),
        "queue_count": queue.count(),
        "handled": handled,
        "all_services": selectors.service_list(municipality=window.municipality),
        "now": now,
    }


@staff_required(CONSOLE, personal_data=False)
def console(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _window(request, window_id)
    return render(request, "reservations/console.html", _console_context(request, window))


@staff_required(CONSOLE, personal_data=False)
def console_state(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _window(request, window_id)
    return render(request, "reservations/_console_state.html", _console_context(request, window))


@require_POST
@staff_required(CONSOLE, personal_data=False)
def console_action(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _window(request, window_id)
    user = staff_user(request)
    action = request.POST.get("action", "")
    message = ""
    try:
        if action == "call":
            ticket = services.ticket_call_next(window=window, staff=user)
            message = (
                _("%(number)s を呼び出しました。") % {"number": ticket.display_number}
                if ticket
                else _("お待ちの方はいません。")
            )
        else:
            ticket = _ticket(request, window)
            if action == "recall":
                services.ticket_recall(ticket=ticket, window=window, staff=user)
            elif action == "start":
                services.ticket_start(ticket=ticket, window=window, staff=user)
            elif action == "finish":
                services.ticket_finish(ticket=ticket, window=window, staff=user)
            elif action == "no_show":
                services.ticket_no_show(ticket=ticket, window=window, staff=user)
            elif action == "transfer":
                to_service = _service(request, window)
                services.ticket_transfer(
                    ticket=ticket, window=window, to_service=to_service, staff=user
                )
            else:
                raise Http404
    except services.ReservationError as exc:
        messages.error(request, exc.message)
    else:
        if message:
            messages.info(request, message)
    if request.headers.get("X-Console") == "1":
        return render(
            request, "reservations/_console_state.html", _console_context(request, window)
        )
    return redirect("reservations_staff:console", window.pk)


def _ticket(request: HttpRequest, window: Window) -> Ticket:
    try:
        ticket_id = int(request.POST.get("ticket", ""))
    except ValueError as exc:
        raise Http404 from exc
    return access_tenant_object(Ticket, municipality=window.municipality, pk=ticket_id)


def _service(request: HttpRequest, window: Window) -> Service:
    try:
        service_id = int(request.POST.get("service", ""))
    except ValueError as exc:
        raise Http404 from exc
    return access_tenant_object(
        Service, municipality=window.municipality, pk=service_id, is_active=True
    )
