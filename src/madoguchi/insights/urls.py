"""Staff pages under `staff/insights/` (each view behind accounts.guard.staff_required)."""

from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/", views.table_csv, name="table_csv"),
    path("opendata.csv", views.opendata_csv, name="opendata_csv"),
    path("staffing/", views.staffing, name="staffing"),
    path("staffing/staffing.csv", views.staffing_csv, name="staffing_csv"),
    path("targets/", views.targets, name="targets"),
    path("region/", views.region, name="region"),
    path("region/region.csv", views.region_csv, name="region_csv"),
    path("region/opendata.csv", views.region_opendata_csv, name="region_opendata_csv"),
]
