import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from . import services
from .access import staff_user
from .forms import StaffLoginForm


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: StaffLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)  # the session is verified for 2FA
        return response


class StaffLogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/home.html",
        {"totp_enabled": services.totp_enabled(user=staff_user(request))},
    )


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (the secret stays on this page), confirm."""
    user = staff_user(request)
    error = ""
    if request.method == "POST":
        if services.totp_confirm(user=user, token=request.POST.get("token", "")):
            messages.success(
                request, _("2段階認証を設定しました。次回のログインから確認コードが必要です。")
            )
            return redirect("accounts:home")
        error = _("確認コードが違います。認証アプリに今表示されている6桁の数字を入力してください。")
    device = services.totp_device_pending(user=user)
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("設定用QRコード"))
    response = render(
        request,
        "accounts/totp_setup.html",
        {"qr_svg": qr_svg, "error": error, "enabled": services.totp_enabled(user=user)},
    )
    response["Cache-Control"] = "no-store"
    return response
