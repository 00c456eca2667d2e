from django.urls import path

from . import staff_views

app_name = "counter_staff"

urlpatterns = [
    path("scan/", staff_views.scan, name="scan"),
]
