"""Staff FAQ URLs, mounted by the project at /staff/faq/."""

from django.urls import path

from . import staff_views

app_name = "faq_staff"

urlpatterns = [
    path("", staff_views.entry_list, name="list"),
    path("new/", staff_views.entry_create, name="create"),
    path("<int:pk>/", staff_views.entry_edit, name="edit"),
    path("<int:pk>/delete/", staff_views.entry_delete, name="delete"),
    path("import/", staff_views.csv_import, name="import"),
    path("index/rebuild/", staff_views.index_rebuild, name="index_rebuild"),
    path("export.csv", staff_views.csv_export, name="export"),
    path("analytics/", staff_views.analytics, name="analytics"),
    path("analytics/draft/", staff_views.draft_from_query, name="draft_from_query"),
    path("shared/", staff_views.shared_sets, name="shared_sets"),
    path("shared/<int:set_id>/", staff_views.shared_set_detail, name="shared_set"),
    path("shared/<int:set_id>/toggle/", staff_views.shared_set_toggle, name="shared_set_toggle"),
    path(
        "shared/<int:set_id>/<int:entry_id>/",
        staff_views.shared_entry_action,
        name="shared_entry_action",
    ),
]
