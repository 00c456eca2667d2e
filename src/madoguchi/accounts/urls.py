from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("2fa/", views.totp_setup, name="totp_setup"),
    path("security/", views.security_policy, name="security"),
]
