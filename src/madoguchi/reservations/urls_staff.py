"""Staff pages, under `staff/reservations/` (login, role and municipality checked per view)."""

from django.urls import path

from .views import staff

app_name = "reservations_staff"

urlpatterns = [
    path("", staff.home, name="home"),
    path("bookings/", staff.bookings, name="bookings"),
    path("windows/<int:window_id>/", staff.console, name="console"),
    path("windows/<int:window_id>/state/", staff.console_state, name="console_state"),
    path("windows/<int:window_id>/action/", staff.console_action, name="console_action"),
]
