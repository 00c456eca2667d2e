"""Resident URLs, mounted by the project at /<municipality_code>/forms/."""

from django.urls import path

from . import views

app_name = "counter"

urlpatterns = [
    path("status.pdf", views.status_pdf, name="status_pdf"),
]
