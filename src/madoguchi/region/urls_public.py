"""Public pages of the region layer, mounted by the project at /region/."""

from django.urls import path

from . import public_views

app_name = "region_public"

urlpatterns = [
    path("procurement/", public_views.procurement, name="procurement"),
    path("procurement/<int:pk>/", public_views.procurement_detail, name="procurement_detail"),
]
