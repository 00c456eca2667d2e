"""Staff sign-in: lockout after repeated failures, optional TOTP second factor."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory

pytestmark = pytest.mark.django_db


def _login(client, username, password, token=""):
    return client.post(
        "/staff/login/", {"username": username, "password": password, "otp_token": token}
    )


def test_sign_in_and_out(client):
    user = StaffUserFactory()
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert "職員メニュー" in client.get("/staff/").content.decode()


def test_locks_after_repeated_failures_even_with_the_right_password(client, settings):
    user = StaffUserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, user.username, "wrong password")
        assert response.status_code in (200, 429)
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "一時的に" in response.content.decode()
    assert client.get("/staff/").status_code == 302  # still signed out


def test_totp_is_required_once_set_up(client):
    user = StaffUserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 200  # the password alone is not enough
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    response = _login(client, user.username, PASSWORD, token)
    assert response.status_code == 302


def test_staff_pages_need_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_staff_sets_up_totp_then_needs_it(client):
    user = StaffUserFactory()
    client.force_login(user)
    page = client.get("/staff/2fa/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    assert client.post("/staff/2fa/", {"token": token}).status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    client.logout()
    assert _login(client, user.username, PASSWORD).status_code == 200  # code now required


def test_wrong_setup_code_is_refused(client):
    user = StaffUserFactory()
    client.force_login(user)
    client.get("/staff/2fa/")
    device = TOTPDevice.objects.get(user=user)
    good = totp(device.bin_key, device.step, device.t0, device.digits)
    response = client.post("/staff/2fa/", {"token": f"{(good + 1) % 1_000_000:06d}"})
    assert response.status_code == 200
    assert "確認コードが違います" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
