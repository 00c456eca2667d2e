from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("postal/", views.postal_lookup, name="postal_lookup"),
]
