"""Shared procedures' staff URLs, mounted by the project at /staff/catalogue/shared/."""

from django.urls import path

from . import views

app_name = "catalogue_shared"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:shared_id>/adopt/", views.adopt, name="adopt"),
    path("adopted/<int:adoption_id>/", views.adoption, name="adoption"),
    path("adopted/<int:adoption_id>/take/", views.take_update, name="take_update"),
    path("adopted/<int:adoption_id>/withdraw/", views.withdraw, name="withdraw"),
    path("prefecture/", views.prefecture_list, name="prefecture"),
    path("prefecture/<int:shared_id>/", views.prefecture_detail, name="prefecture_detail"),
]
