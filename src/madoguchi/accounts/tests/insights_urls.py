"""The project's URLs plus an insights dashboard, as the insights app will publish it."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from madoguchi.urls import urlpatterns as project


def dashboard(request: HttpRequest) -> HttpResponse:
    return HttpResponse("dashboards")


urlpatterns = [
    path("staff/insights/", include(([path("", dashboard, name="dashboard")], "insights"))),
    *project,
]
