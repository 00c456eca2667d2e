"""Resident, kiosk, display and board pages, under `<str:municipality_code>/reserve/`.

The municipality comes from the URL's `municipality_code` (MunicipalityMiddleware sets
`request.municipality`).
"""

from django.urls import path

from .views import hall, resident

app_name = "reservations"

urlpatterns = [
    path("", resident.start, name="start"),
    path("services/<int:service_id>/", resident.slots, name="slots"),
    path("services/<int:service_id>/slots.json", hall.slots_json, name="slots_json"),
    path("services/<int:service_id>/book/", resident.book, name="book"),
    path("done/", resident.done, name="done"),
    path("find/", resident.find, name="find"),
    path("bookings/<str:code>/", resident.manage, name="manage"),
    path("bookings/<str:code>/cancel/", resident.manage_cancel, name="manage_cancel"),
    path("bookings/<str:code>/change/", resident.manage_change, name="manage_change"),
    path("bookings/<str:code>/open/<str:token>/", resident.open_link, name="open"),
    path("bookings/<str:code>/qr.svg", resident.qr, name="qr"),
    path("bookings/<str:code>/booking.ics", resident.ics, name="ics"),
    path("kiosk/<str:key>/", hall.kiosk, name="kiosk"),
    path("kiosk/<str:key>/ticket/", hall.kiosk_issue, name="kiosk_issue"),
    path("kiosk/<str:key>/checkin/", hall.kiosk_checkin, name="kiosk_checkin"),
    path("kiosk/<str:key>/tickets/<int:ticket_id>/", hall.kiosk_ticket, name="kiosk_ticket"),
    path("display/", hall.display, name="display"),
    path("display.json", hall.display_json, name="display_json"),
    path("display/stream", hall.display_stream, name="display_stream"),
    path("board/", hall.board, name="board"),
    path("board.json", hall.board_json, name="board_json"),
]
