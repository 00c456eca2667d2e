"""The form builder's staff pages, mounted by the project at /staff/catalogue/forms/."""

from django.urls import path

from . import views

app_name = "catalogue_builder"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("new/", views.procedure_new, name="new"),
    path("<slug:slug>/", views.editor, name="editor"),
    path("<slug:slug>/start/", views.draft_start, name="start"),
    path("<slug:slug>/structure/", views.structure, name="structure"),
    path("<slug:slug>/edit/", views.node_edit, name="node_edit"),
    path("<slug:slug>/import/", views.import_json, name="import"),
    path("<slug:slug>/export.json", views.export_json, name="export"),
    path("<slug:slug>/diff/", views.diff, name="diff"),
    path("<slug:slug>/workflow/", views.workflow, name="workflow"),
    path("<slug:slug>/preview/", views.preview, name="preview"),
]
