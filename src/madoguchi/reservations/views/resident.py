"""Resident pages: book a visit without an account, then find, change or cancel it.

Every page works without JavaScript. After booking (or finding a booking with its code and
secret) the code is remembered in the session; the QR code and the .ics file are served only
for codes in that session.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from madoguchi.core import ratelimit
from madoguchi.core.localized_text import easy_japanese_chosen
from madoguchi.notifications.contexts import extensions_gather
from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.middleware import request_municipality

from .. import codes, selectors, services
from ..forms import BookingForm, FindBookingForm
from ..ics import booking_ics
from ..models import Booking, Service
from ._common import format_start, parse_day, parse_start

# The date list shows two weeks at a time; a day's times come on their own page.
DAYS_PER_PAGE = 14
SESSION_DONE = "reservations:done"
SESSION_MANAGED = "reservations:managed"


def _bookable_service(request: HttpRequest, service_id: int) -> Service:
    return access_tenant_object(
        Service,
        municipality=request_municipality(request),
        pk=service_id,
        is_active=True,
        bookable=True,
    )


def _remember(request: HttpRequest, code: str) -> None:
    managed = [c for c in request.session.get(SESSION_MANAGED, []) if c != code][-9:]
    request.session[SESSION_MANAGED] = [*managed, code]


def _managed_booking(request: HttpRequest, code: str) -> Booking:
    if code not in request.session.get(SESSION_MANAGED, []):
        raise Http404
    booking = selectors.booking_by_code(municipality=request_municipality(request), code=code)
    if booking is None:
        raise Http404
    return booking


def start(request: HttpRequest) -> HttpResponse:
    services_ = selectors.service_list(
        municipality=request_municipality(request), bookable_only=True
    )
    wanted = request.GET.get("procedure", "")[:80]
    if wanted:
        for service in services_:
            if any(p.slug == wanted for p in service.procedures.all()):
                return redirect(
                    "reservations:slots", request_municipality(request).code, service.pk
                )
    return render(request, "reservations/start.html", {"services": services_})


def _picker(request: HttpRequest, service: Service) -> dict[str, Any]:
    """Dates first, then times: without `day`, a page of dates with how many places are free;
    with `day`, that day's free times. Plain links, so it works without JavaScript."""
    today = timezone.localdate()
    policy = selectors.policy_get(municipality=request_municipality(request))
    _earliest, last_day = selectors.booking_window(policy=policy, now=timezone.now())
    chosen = parse_day(request.GET.get("day"))
    if chosen is not None and today <= chosen <= last_day:
        found = selectors.service_slots(service=service, first=chosen, days=1)
        return {
            "chosen": found[0] if found else None,
            "chosen_day": chosen,
            "back_from": max(today, chosen - timedelta(days=chosen.weekday())),
        }
    first = max(parse_day(request.GET.get("from")) or today, today)
    days = selectors.service_slots(service=service, first=first, days=DAYS_PER_PAGE)
    following = first + timedelta(days=DAYS_PER_PAGE)
    return {
        "dates": days,
        "previous": max(today, first - timedelta(days=DAYS_PER_PAGE)) if first > today else None,
        "following": following if following <= last_day else None,
        "any_free": any(d.slots for d in days),
    }


def slots(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _bookable_service(request, service_id)
    context = _picker(request, service)
    context["service"] = service
    context["time_url"] = reverse(
        "reservations:book",
        kwargs={"municipality_code": request_municipality(request).code, "service_id": service.pk},
    )
    return render(request, "reservations/slots.html", context)


@never_cache
@ratelimit.limit("reservations.book.client")
def book(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _bookable_service(request, service_id)
    municipality = request_municipality(request)
    procedures = service.procedures.filter(is_published=True)
    error = ""
    if request.method == "POST":
        form = BookingForm(request.POST, procedure_choices=procedures)
        start_at = parse_start(request.POST.get("start"))
        if start_at is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.booking_create(
                    municipality=municipality,
                    service=service,
                    start=start_at,
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    procedures=data["procedures"],
                    submission_token=data["token"],
                    # Other apps' parts of the confirmation mail (the pre-input's QR code).
                    mail_sealed=extensions_gather(
                        services.CONFIRMATION, request, [*procedures, *data["procedures"]]
                    ),
                )
            except services.ReservationError as exc:
                error = exc.message
            else:
                request.session[SESSION_DONE] = {
                    "code": result.booking.code,
                    "secret": result.secret,
                }
                _remember(request, result.booking.code)
                return redirect("reservations:done", municipality.code)
    else:
        start_at = parse_start(request.GET.get("start"))
        if start_at is None:
            return redirect("reservations:slots", municipality.code, service.pk)
        form = BookingForm(
            initial={"start": format_start(start_at), "token": codes.new_submission_token()},
            procedure_choices=procedures,
        )
        error = services.booking_slot_problem(service=service, start=start_at) or ""
    return render(
        request,
        "reservations/book.html",
        {
            "service": service,
            "start": start_at,
            "form": form,
            "error": error,
            "slots_url_day": timezone.localtime(start_at).date().isoformat(),
        },
        status=409 if error and request.method == "POST" else 200,
    )


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    finished = request.session.get(SESSION_DONE)
    if not finished:
        return redirect("reservations:start", request_municipality(request).code)
    booking = selectors.booking_by_code(
        municipality=request_municipality(request), code=finished["code"]
    )
    if booking is None:
        raise Http404
    return render(
        request,
        "reservations/done.html",
        {
            "booking": booking,
            "secret": finished["secret"],
            "what_to_bring": services.booking_what_to_bring(
                booking=booking, easy=easy_japanese_chosen(request)
            ),
        },
    )


def qr(request: HttpRequest, code: str) -> HttpResponse:
    """The booking code as a QR code (SVG). It carries the opaque code only."""
    booking = _managed_booking(request, code)
    buffer = io.BytesIO()
    segno.make(booking.code, error="m").save(
        buffer, kind="svg", scale=6, border=2, title=_("予約番号の QR コード")
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def ics(request: HttpRequest, code: str) -> HttpResponse:
    booking = _managed_booking(request, code)
    response = HttpResponse(
        booking_ics(booking=booking), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="reservation-{booking.code}.ics"'
    return response


def _find_subjects(
    request: HttpRequest, municipality_code: str, code: str
) -> list[tuple[str, str]]:
    """Failed look-ups count per client and per booking code (whoever tries it)."""
    subjects = [
        ("reservations.find.client", f"{municipality_code}:{ratelimit.client_key(request)}")
    ]
    normalized = codes.booking_code_normalize(code[:40])
    if normalized:
        target = ratelimit.target_key(f"booking:{municipality_code}:{normalized}")
        subjects.append(("reservations.find.target", target))
    return subjects


@never_cache
def find(request: HttpRequest) -> HttpResponse:
    municipality = request_municipality(request)
    error = ""
    status = 200
    if request.method == "POST":
        form = FindBookingForm(request.POST)
        subjects = _find_subjects(request, municipality.code, request.POST.get("code", ""))
        if any(ratelimit.exceeded(name, subject) for name, subject in subjects):
            error = _("確認の回数が上限に達しました。しばらく待ってから、もう一度お試しください。")
            status = 429
        elif form.is_valid():
            booking = selectors.booking_access(
                municipality=municipality,
                code=form.cleaned_data["code"],
                secret=form.cleaned_data["secret"],
            )
            if booking is not None:
                _remember(request, booking.code)
                return redirect("reservations:manage", municipality.code, booking.code)
            ratelimit.hit_all(subjects)
            error = _(
                "予約番号または確認用の数字が違います。予約完了の画面やメールに書かれた番号を、"
                "もう一度確かめて入力してください。"
            )
            status = 400
    else:
        form = FindBookingForm()
    return render(request, "reservations/find.html", {"form": form, "error": error}, status=status)


def open_link(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The manage link from a booking's mails: remember the booking, then drop the token from the
    address bar by redirecting to the booking's page."""
    booking = selectors.booking_by_manage_link(
        municipality=request_municipality(request), code=code, token=token
    )
    if booking is None:
        return render(request, "reservations/manage_link_invalid.html", status=404)
    _remember(request, booking.code)
    return redirect("reservations:manage", request_municipality(request).code, booking.code)


def _changeable(booking: Booking) -> bool:
    return booking.status == Booking.Status.BOOKED and booking.start > timezone.now()


@never_cache
def manage(request: HttpRequest, code: str) -> HttpResponse:
    booking = _managed_booking(request, code)
    context: dict[str, Any] = {
        "booking": booking,
        "what_to_bring": services.booking_what_to_bring(
            booking=booking, easy=easy_japanese_chosen(request)
        ),
        "changeable": _changeable(booking),
    }
    return render(request, "reservations/manage.html", context)


def _manage_error(request: HttpRequest, booking: Booking, error: str) -> HttpResponse:
    return render(
        request,
        "reservations/manage_error.html",
        {"booking": booking, "error": error},
        status=409,
    )


@never_cache
@ratelimit.limit("reservations.book.client")
def manage_cancel(request: HttpRequest, code: str) -> HttpResponse:
    """GET: ask for confirmation; POST: cancel, say so, and mail the resident."""
    booking = _managed_booking(request, code)
    if request.method != "POST":
        if not _changeable(booking):
            return redirect("reservations:manage", request_municipality(request).code, code)
        return render(request, "reservations/manage_cancel.html", {"booking": booking})
    try:
        services.booking_cancel(booking=booking)
    except services.ReservationError as exc:
        return _manage_error(request, booking, exc.message)
    messages.success(request, _("予約を取り消しました。"))
    if booking.email:
        messages.info(request, _("取消しのお知らせをメールで送りました。"))
    return redirect("reservations:manage", request_municipality(request).code, booking.code)


@never_cache
@ratelimit.limit("reservations.book.client")
def manage_change(request: HttpRequest, code: str) -> HttpResponse:
    """GET: pick a date, then a time, then confirm the move; POST: move, say so, mail."""
    booking = _managed_booking(request, code)
    municipality = request_municipality(request)
    if request.method != "POST":
        if not _changeable(booking):
            return redirect("reservations:manage", municipality.code, code)
        start_at = parse_start(request.GET.get("start"))
        if start_at is not None:
            problem = services.booking_slot_problem(service=booking.service, start=start_at)
            return render(
                request,
                "reservations/manage_change_confirm.html",
                {"booking": booking, "start": start_at, "error": problem or ""},
            )
        context = _picker(request, booking.service)
        context.update(
            booking=booking,
            service=booking.service,
            time_url=reverse(
                "reservations:manage_change",
                kwargs={"municipality_code": municipality.code, "code": booking.code},
            ),
        )
        return render(request, "reservations/manage_change.html", context)
    start_at = parse_start(request.POST.get("start"))
    if start_at is None:
        raise Http404
    try:
        services.booking_reschedule(booking=booking, start=start_at)
    except services.ReservationError as exc:
        return _manage_error(request, booking, exc.message)
    messages.success(request, _("予約の日時を変更しました。"))
    if booking.email:
        messages.info(request, _("変更のお知らせをメールで送りました。"))
    return redirect("reservations:manage", municipality.code, booking.code)
