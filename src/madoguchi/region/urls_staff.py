"""The prefecture console's URLs, mounted by the project at /staff/region/."""

from django.urls import path

from . import views

app_name = "region"

urlpatterns = [
    path("", views.system_list, name="systems"),
    path("systems/new/", views.system_create, name="system_create"),
    path("systems/import/", views.system_import, name="system_import"),
    path("systems/export.csv", views.system_export, name="system_export"),
    path("systems/madoguchi/", views.madoguchi_sync, name="madoguchi_sync"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system_edit"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/members/", views.agreement_members, name="agreement_members"),
    path("agreements/<int:pk>/usage/", views.agreement_usage, name="agreement_usage"),
    path("agreements/<int:pk>/agreement.json", views.agreement_file, name="agreement_file"),
    path("agreements/<int:pk>/shares.csv", views.agreement_shares_csv, name="agreement_csv"),
    path("agreements/<int:pk>/statements/<str:code>/", views.statement, name="statement"),
    path(
        "agreements/<int:pk>/statements/<str:code>.pdf",
        views.statement_pdf,
        name="statement_pdf",
    ),
    path(
        "agreements/<int:pk>/statements/<str:code>.csv",
        views.statement_csv,
        name="statement_csv",
    ),
]
