"""Resident URLs, mounted by the project at /<municipality_code>/forms/."""

from django.urls import path

from . import preinput_views, views

app_name = "counter"

urlpatterns = [
    path("status.pdf", views.status_pdf, name="status_pdf"),
    path("<slug:slug>/start/", preinput_views.preinput_start, name="preinput_start"),
    path("<slug:slug>/", preinput_views.preinput_result, name="preinput_result"),
    path("<slug:slug>/qr-<int:number>.png", preinput_views.preinput_png, name="preinput_png"),
    path("<slug:slug>/view/", preinput_views.preinput_view, name="preinput_view"),
    path("<slug:slug>/delete/", preinput_views.preinput_delete, name="preinput_delete"),
]
