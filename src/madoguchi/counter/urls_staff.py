"""Counter staff URLs, mounted by the project at /staff/counter/."""

from django.urls import path

from . import views

app_name = "counter_staff"

urlpatterns = [
    path("applications/<int:pk>/print/", views.staff_print, name="print"),
]
