"""Staff pages, under `staff/reservations/` (each view behind accounts.guard.staff_required)."""

from django.urls import path

from .views import staff

app_name = "reservations_staff"

urlpatterns = [
    path("", staff.home, name="home"),
    path("bookings/", staff.bookings, name="bookings"),
    path("kiosk-key/", staff.kiosk_key_rotate, name="kiosk_key_rotate"),
    path("windows/<int:window_id>/", staff.console, name="console"),
    path("windows/<int:window_id>/state/", staff.console_state, name="console_state"),
    path("windows/<int:window_id>/action/", staff.console_action, name="console_action"),
]
