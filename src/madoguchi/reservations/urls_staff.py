"""Staff pages, under `staff/reservations/` (each view behind accounts.guard.staff_required)."""

from django.urls import path

from .views import settings, staff

app_name = "reservations_staff"

urlpatterns = [
    path("", staff.home, name="home"),
    path("bookings/", staff.bookings, name="bookings"),
    path("kiosk-key/", staff.kiosk_key_rotate, name="kiosk_key_rotate"),
    path("settings/", settings.overview, name="settings"),
    path("settings/windows/new/", settings.window_edit, name="window_add"),
    path("settings/windows/<int:window_id>/", settings.window_edit, name="window_edit"),
    path("settings/hours/", settings.hours_edit, name="hours"),
    path("settings/closed-days/", settings.closed_day_add, name="closed_day_add"),
    path(
        "settings/closed-days/<int:exception_id>/delete/",
        settings.closed_day_delete,
        name="closed_day_delete",
    ),
    path("windows/<int:window_id>/", staff.console, name="console"),
    path("windows/<int:window_id>/state/", staff.console_state, name="console_state"),
    path("windows/<int:window_id>/action/", staff.console_action, name="console_action"),
]
