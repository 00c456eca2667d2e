"""Counter staff URLs, mounted by the project at /staff/counter/."""

from django.urls import path

from . import staff_views, views

app_name = "counter_staff"

urlpatterns = [
    path("applications/<int:pk>/print/", views.staff_print, name="print"),
    path("scan/", staff_views.scan, name="scan"),
]
