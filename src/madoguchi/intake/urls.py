"""Staff screens of the intake; mounted at `staff/intake/`."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/resume/", views.run_resume, name="run_resume"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<int:item_id>/", views.quarantine_detail, name="quarantine_item"),
    path("quarantine/<int:item_id>/retry/", views.quarantine_retry, name="quarantine_retry"),
    path("quarantine/<int:item_id>/dismiss/", views.quarantine_dismiss, name="quarantine_dismiss"),
    path("linkage/", views.linkage, name="linkage"),
]
