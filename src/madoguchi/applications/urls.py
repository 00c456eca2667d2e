from django.urls import path

from . import correction_views, views
from .payments import views as payment_views

app_name = "applications"

urlpatterns = [
    path("", views.home, name="home"),
    path("logo", views.logo, name="logo"),
    path("life-events/<slug:slug>/", views.life_event, name="life_event"),
    path("procedures/<slug:slug>/", views.procedure_detail, name="procedure"),
    path("procedures/<slug:slug>/apply/", views.apply_start, name="apply_start"),
    path("apply/<slug:slug>/check/", views.apply_check, name="apply_check"),
    path("apply/<slug:slug>/saved/", views.apply_saved, name="apply_saved"),
    path("apply/<slug:slug>/<slug:step_key>/", views.apply_step, name="apply_step"),
    path("complete/", views.apply_complete, name="apply_complete"),
    path("resume/<str:token>/", views.resume, name="resume"),
    path("status/", views.status, name="status"),
    path("pay/", payment_views.pay_start, name="pay_start"),
    path("pay/done/", payment_views.pay_done, name="pay_done"),
    path("pay/card/<str:token>/", payment_views.pay_test_card, name="pay_test_card"),
    path("correction/done/", correction_views.correction_done, name="correction_done"),
    path(
        "correction/from-status/",
        correction_views.correction_from_status,
        name="correction_from_status",
    ),
    path("correction/<str:token>/", correction_views.correction, name="correction"),
]
