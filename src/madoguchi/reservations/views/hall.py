"""The counter hall: kiosk (tickets and check-in), calling display, and the public wait board.

The kiosk lives at a URL with the municipality's secret kiosk key, so tickets cannot be drawn
from home. The display and the board show numbers and waits only, never names.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.middleware import request_municipality

from .. import selectors, services
from ..models import ReservationPolicy, Service, Ticket
from ._common import parse_day

# Server-sent events: a bounded stream; the browser's EventSource reconnects by itself after
# `retry`. A stream holds one of its process's threads while it runs, so at most
# DISPLAY_STREAMS_PER_PROCESS threads per process serve streams (madoguchi.gunicorn_config):
# beyond that the answer is 503 at once and the display page polls display.json instead.
STREAM_SECONDS = 25
STREAM_POLL_SECONDS = 0.25
STREAM_BUSY_RETRY_SECONDS = 30

_stream_slots: dict[int, threading.BoundedSemaphore] = {}
_stream_slots_lock = threading.Lock()


def _take_stream_slot() -> threading.BoundedSemaphore | None:
    """This process's stream semaphore, acquired without waiting; None when all slots are taken."""
    cap = settings.DISPLAY_STREAMS_PER_PROCESS
    if cap < 1:
        return None
    with _stream_slots_lock:
        slots = _stream_slots.setdefault(cap, threading.BoundedSemaphore(cap))
    return slots if slots.acquire(blocking=False) else None


class _SlotStream:
    """An event iterator that gives its slot back once, however the response ends.

    Django calls close() when the server closes the response (finished, or the client went away),
    even if the iterator was never started; a response dropped unclosed gives it back when freed.
    """

    def __init__(self, events: Iterator[str], slot: threading.BoundedSemaphore) -> None:
        self._events = events
        self._slot: threading.BoundedSemaphore | None = slot

    def __iter__(self) -> _SlotStream:
        return self

    def __next__(self) -> str:
        return next(self._events)

    def close(self) -> None:
        slot, self._slot = self._slot, None
        if slot is not None:
            close = getattr(self._events, "close", None)
            if close is not None:
                close()
            slot.release()

    def __del__(self) -> None:  # a response dropped without close() must not keep its slot
        self.close()


def _kiosk_policy(request: HttpRequest, key: str) -> ReservationPolicy:
    policy = ReservationPolicy.objects.for_municipality(request_municipality(request)).first()
    if policy is None or not constant_time_compare(policy.kiosk_key, key):
        raise Http404
    return policy


def _bilingual(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Hall screens show Japanese with English beside it, whatever the browser's language."""
    with translation.override("ja"):
        return render(request, template, context, status=status)


def _kiosk_page(
    request: HttpRequest,
    key: str,
    *,
    error: str = "",
    code: str = "",
    hours: selectors.HallHours | None = None,
    status: int | None = None,
) -> HttpResponse:
    municipality = request_municipality(request)
    hours = hours or selectors.hall_hours(municipality=municipality)
    next_opening_en = ""
    if hours.next_opening is not None:
        with translation.override("en"):
            next_opening_en = formats.date_format(
                timezone.localtime(hours.next_opening), "l j F, H:i"
            )
    return _bilingual(
        request,
        "reservations/kiosk.html",
        {
            "key": key,
            "hours": hours,
            "next_opening_en": next_opening_en,
            "waits": selectors.service_waits(municipality=municipality),
            "error": error,
            "code": code,
        },
        status=status or (400 if error else 200),
    )


def _closed_refusal(request: HttpRequest, key: str) -> HttpResponse | None:
    """After hours and on closed days the kiosk issues nothing, whatever is posted to it."""
    hours = selectors.hall_hours(municipality=request_municipality(request))
    if hours.open_now:
        return None
    return _kiosk_page(request, key, hours=hours, status=409)


@never_cache
def kiosk(request: HttpRequest, key: str) -> HttpResponse:
    _kiosk_policy(request, key)
    return _kiosk_page(request, key)


@require_POST
def kiosk_issue(request: HttpRequest, key: str) -> HttpResponse:
    _kiosk_policy(request, key)
    refused = _closed_refusal(request, key)
    if refused is not None:
        return refused
    try:
        service_id = int(request.POST.get("service", ""))
    except ValueError as exc:
        raise Http404 from exc
    service = access_tenant_object(
        Service, municipality=request_municipality(request), pk=service_id, is_active=True
    )
    ticket = services.ticket_issue(municipality=request_municipality(request), service=service)
    return redirect("reservations:kiosk_ticket", request_municipality(request).code, key, ticket.pk)


@require_POST
def kiosk_checkin(request: HttpRequest, key: str) -> HttpResponse:
    _kiosk_policy(request, key)
    refused = _closed_refusal(request, key)
    if refused is not None:
        return refused
    code = request.POST.get("code", "")[:40]
    try:
        ticket = services.booking_check_in(municipality=request_municipality(request), code=code)
    except services.ReservationError as exc:
        return _kiosk_page(request, key, error=exc.message, code=code)
    return redirect("reservations:kiosk_ticket", request_municipality(request).code, key, ticket.pk)


@never_cache
def kiosk_ticket(request: HttpRequest, key: str, ticket_id: int) -> HttpResponse:
    _kiosk_policy(request, key)
    ticket = access_tenant_object(
        Ticket, municipality=request_municipality(request), pk=ticket_id, day=timezone.localdate()
    )
    ahead, minutes = selectors.ticket_position(ticket=ticket)
    return _bilingual(
        request,
        "reservations/kiosk_ticket.html",
        {"key": key, "ticket": ticket, "ahead": ahead, "minutes": minutes},
    )


def display(request: HttpRequest) -> HttpResponse:
    state = selectors.display_state(municipality=request_municipality(request))
    return _bilingual(
        request,
        "reservations/display.html",
        {"state": state, "use_sse": request.GET.get("transport") == "sse"},
    )


def _json(data: dict[str, Any], *, public: bool = False) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    if public:
        # Public figures for the municipality's own web site to show.
        response["Access-Control-Allow-Origin"] = "*"
    return response


def display_json(request: HttpRequest) -> JsonResponse:
    return _json(selectors.display_state(municipality=request_municipality(request)))


def display_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    municipality = request_municipality(request)
    slot = _take_stream_slot()
    if slot is None:
        busy = HttpResponse(
            "Too many open streams: poll display.json instead.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        busy["Retry-After"] = str(STREAM_BUSY_RETRY_SECONDS)
        busy["Cache-Control"] = "no-store"
        return busy

    def events() -> Iterator[str]:
        yield "retry: 1000\n\n"
        last = -1
        deadline = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < deadline:
            version = selectors.display_version(municipality=municipality)
            if version != last:
                last = version
                state = selectors.display_state(municipality=municipality)
                yield f"event: state\ndata: {json.dumps(state, ensure_ascii=False)}\n\n"
            else:
                yield ": idle\n\n"
            time.sleep(STREAM_POLL_SECONDS)

    response = StreamingHttpResponse(_SlotStream(events(), slot), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def board(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reservations/board.html",
        {
            "waits": selectors.service_waits(municipality=request_municipality(request)),
            "now": timezone.now(),
        },
    )


def board_json(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    waits = selectors.service_waits(municipality=request_municipality(request), now=now)
    return _json(
        {
            "municipality": request_municipality(request).code,
            "at": timezone.localtime(now).isoformat(timespec="seconds"),
            "services": [w.as_json() for w in waits],
        },
        public=True,
    )


def slots_json(request: HttpRequest, service_id: int) -> JsonResponse:
    """Free slots of a service (for the municipality's site, scripts and the benchmark)."""
    service = access_tenant_object(
        Service,
        municipality=request_municipality(request),
        pk=service_id,
        is_active=True,
        bookable=True,
    )
    started = time.perf_counter()
    first = parse_day(request.GET.get("from")) or timezone.localdate()
    try:
        days = max(1, min(int(request.GET.get("days", "7")), 92))
    except ValueError:
        days = 7
    result = selectors.service_slots(service=service, first=first, days=days)
    payload = {
        "service": service.pk,
        "days": [
            {
                "date": d.day.isoformat(),
                "closed": str(d.closed_reason),
                "slots": [
                    {
                        "start": timezone.localtime(s.start).strftime("%Y-%m-%dT%H:%M"),
                        "free": s.free,
                    }
                    for s in d.slots
                ],
            }
            for d in result
        ],
        "computed_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return _json(payload, public=True)
