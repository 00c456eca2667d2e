"""Counter staff URLs, mounted by the project at /staff/counter/."""

from django.urls import path

from . import staff_views, views

app_name = "counter_staff"

urlpatterns = [
    path("", staff_views.desk, name="desk"),
    path("station/", staff_views.station_choose, name="station"),
    path("new/", staff_views.interview_start, name="new"),
    path("scan/", staff_views.scan, name="scan"),
    path("visits/<int:visit_id>/", staff_views.visit, name="visit"),
    path("cases/<int:case_id>/", staff_views.case_edit, name="case"),
    path("cases/<int:case_id>/confirm/", staff_views.case_confirm, name="confirm"),
    path("cases/<int:case_id>/done/", staff_views.case_done, name="done"),
    path("cases/<int:case_id>/abandon/", staff_views.case_abandon, name="abandon"),
    path("applications/<int:pk>/print/", views.staff_print, name="print"),
]
