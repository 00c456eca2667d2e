"""Resident URLs, mounted by the project at /<municipality_code>/forms/."""

from django.urls import path

from . import preinput_views, views, visit_views

app_name = "counter"

urlpatterns = [
    path("status.pdf", views.status_pdf, name="status_pdf"),
    # A visit (several procedures of a life event) before the single procedures' `<slug>/…`.
    path("visit/<slug:event>/", visit_views.visit_start, name="visit_start"),
    path("visit/<slug:event>/qr/", visit_views.visit_result, name="visit_result"),
    path("visit/<slug:event>/qr-<int:number>.png", visit_views.visit_png, name="visit_png"),
    path("visit/<slug:event>/view/", visit_views.visit_view, name="visit_view"),
    path("visit/<slug:event>/delete/", visit_views.visit_delete, name="visit_delete"),
    path("<slug:slug>/start/", preinput_views.preinput_start, name="preinput_start"),
    path("<slug:slug>/", preinput_views.preinput_result, name="preinput_result"),
    path("<slug:slug>/qr-<int:number>.png", preinput_views.preinput_png, name="preinput_png"),
    path("<slug:slug>/view/", preinput_views.preinput_view, name="preinput_view"),
    path("<slug:slug>/delete/", preinput_views.preinput_delete, name="preinput_delete"),
]
