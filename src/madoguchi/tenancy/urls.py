"""Each municipality's trust pages, under `<str:municipality_code>/about/`."""

from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("<str:kind>/", views.trust_page, name="trust_page"),
]
