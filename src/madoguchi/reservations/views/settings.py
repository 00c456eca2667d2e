"""The hall's configuration for the municipality administrator: windows, weekly opening hours,
closed days and the kiosk key (CONFIGURE_HALL / ROTATE_KIOSK_KEY in the one role table).

Every id from a URL is resolved within the administrator's municipality (404 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import staff_required
from madoguchi.accounts.permissions import CONFIGURE_HALL, ROTATE_KIOSK_KEY
from madoguchi.tenancy.access import access_tenant_object
from madoguchi.tenancy.models import Municipality, OpeningHours

from .. import selectors, services
from ..models import CalendarException, Window
from ..staff_forms import ClosedDayForm, WeekHoursForm, WindowForm


def _municipality(request: HttpRequest) -> Municipality:
    municipality = staff_user(request).municipality
    assert municipality is not None
    return municipality


@staff_required(CONFIGURE_HALL, personal_data=False)
def overview(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    policy = selectors.policy_get(municipality=municipality)
    return render(
        request,
        "reservations/settings.html",
        {
            "staff_municipality": municipality,
            "windows": Window.objects.for_municipality(municipality).prefetch_related("services"),
            "hours": OpeningHours.objects.filter(municipality=municipality),
            "closed_days": CalendarException.objects.for_municipality(municipality).filter(
                date__gte=timezone.localdate()
            ),
            "closed_day_form": ClosedDayForm(municipality=municipality),
            "hall": selectors.hall_hours(municipality=municipality),
            "kiosk_key": policy.kiosk_key if policy.pk else "",
            "can_rotate_kiosk_key": staff_user(request).has_perm(ROTATE_KIOSK_KEY),
        },
    )


@staff_required(CONFIGURE_HALL, personal_data=False)
def window_edit(request: HttpRequest, window_id: int | None = None) -> HttpResponse:
    municipality = _municipality(request)
    window = (
        access_tenant_object(Window, municipality=municipality, pk=window_id)
        if window_id is not None
        else None
    )
    form = WindowForm(request.POST or None, instance=window, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("「%(name)s」を保存しました。") % {"name": saved.name})
        return redirect("reservations_staff:settings")
    return render(
        request,
        "reservations/settings_window.html",
        {"form": form, "window": window},
        status=400 if form.errors else 200,
    )


@staff_required(CONFIGURE_HALL, personal_data=False)
def hours_edit(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    current = list(OpeningHours.objects.filter(municipality=municipality))
    form = WeekHoursForm(request.POST or None, initial=WeekHoursForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        services.opening_hours_set(municipality=municipality, periods=form.periods())
        messages.success(request, _("開庁時間を保存しました。"))
        return redirect("reservations_staff:settings")
    return render(
        request,
        "reservations/settings_hours.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required(CONFIGURE_HALL, personal_data=False)
def closed_day_add(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    form = ClosedDayForm(request.POST, municipality=municipality)
    if form.is_valid():
        day = form.save()
        messages.success(
            request, _("%(date)s を登録しました。") % {"date": day.date.strftime("%Y-%m-%d")}
        )
        return redirect("reservations_staff:settings")
    return render(request, "reservations/settings_closed_day.html", {"form": form}, status=400)


@require_POST
@staff_required(CONFIGURE_HALL, personal_data=False)
def closed_day_delete(request: HttpRequest, exception_id: int) -> HttpResponse:
    services.calendar_exception_delete(
        municipality=_municipality(request), exception_id=exception_id
    )
    messages.success(request, _("登録を削除しました。"))
    return redirect("reservations_staff:settings")
