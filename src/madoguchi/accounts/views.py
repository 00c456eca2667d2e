import math
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from . import services
from .access import staff_user
from .forms import SecondFactorPolicyForm, StaffLoginForm
from .guard import Tenant, staff_required
from .home_panels import panels_for
from .permissions import SECOND_FACTOR_POLICY
from .second_factor import FactorState, factor_state, forget_factor_state, second_factor_failed


class StaffLoginView(auth_views.LoginView):
    """The one login door (the admin's login sends here too): password, then the code if set up."""

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


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer once an account is locked from this address: say for how long."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() would take any other text for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step for a session that signed in without its code (e.g. before set-up)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if factor_state(request) is not FactorState.VERIFY:
        return redirect(_next_url(request))
    user = staff_user(request)
    credentials = {"username": user.get_username()}
    error = ""
    if request.method == "POST":
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            return locked_out(request)
        device = match_token(user, request.POST.get("otp_token", "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        second_factor_failed(request, user.get_username())
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request)
        error = _("確認コードが違うか、有効期限が切れています。新しいコードを入力してください。")
    response = render(
        request,
        "accounts/verify.html",
        {"error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(personal_data=False, tenant=Tenant.ANY)
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(
        request,
        "accounts/home.html",
        {
            "panels": panels_for(user),
            # Family name first, as Japanese staff lists write it.
            "staff_name": f"{user.last_name} {user.first_name}".strip() or user.get_username(),
            "totp_enabled": services.totp_enabled(user=user),
            "can_set_policy": user.has_perm(SECOND_FACTOR_POLICY),
        },
    )


@staff_required(personal_data=False, tenant=Tenant.ANY, enrolment=True)
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (the secret stays on this page), confirm.

    Only a session that passed its second factor (or a user with no authenticator yet) gets
    here: the middleware and the guard send the others to the verification step first.
    """
    user = staff_user(request)
    error = ""
    if request.method == "POST":
        device = services.totp_confirm(user=user, token=request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)  # the code just given proves the session
            forget_factor_state(request)
            messages.success(
                request, _("2段階認証を設定しました。次回のログインから確認コードが必要です。")
            )
            return redirect("accounts:home")
        error = _("確認コードが違います。認証アプリに今表示されている6桁の数字を入力してください。")
    device = services.totp_device_pending(user=user)
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("設定用QRコード"))
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "qr_svg": qr_svg,
            "error": error,
            "enabled": services.totp_enabled(user=user),
            "required": factor_state(request) is FactorState.ENROL,
        },
    )


@staff_required(SECOND_FACTOR_POLICY, personal_data=False)
def security_policy(request: HttpRequest) -> HttpResponse:
    """Managers choose which roles of their municipality must use the second factor."""
    user = staff_user(request)
    assert user.municipality is not None
    current = services.second_factor_roles(municipality=user.municipality)
    # Unchecking every box sends no field at all: a POST is bound even when empty.
    data = request.POST if request.method == "POST" else None
    form = SecondFactorPolicyForm(data, initial={"roles": sorted(current)})
    if request.method == "POST" and form.is_valid():
        services.second_factor_roles_set(
            municipality=user.municipality, roles=form.cleaned_data["roles"]
        )
        messages.success(request, _("2段階認証の設定を保存しました。"))
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form})
