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


def _code(device, offset=0):
    return f"{(totp(device.bin_key, device.step, device.t0, device.digits) + offset) % 10**6:06d}"


def test_admin_login_with_the_password_alone_gives_no_session(client):
    user = StaffUserFactory(admin=True)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        "/staff/admin/login/?next=/staff/admin/",
        {"username": user.username, "password": PASSWORD, "next": "/staff/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")  # the one login door
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/admin/")["Location"].startswith("/staff/login/")
    # Through the staff login the code is required, then the admin opens.
    assert _login(client, user.username, PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=user)
    assert _login(client, user.username, PASSWORD, _code(device)).status_code == 302
    assert client.get("/staff/admin/").status_code == 200


def test_wrong_codes_count_towards_the_lockout(client, settings):
    user = StaffUserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, PASSWORD, _code(device, 1))
    response = _login(client, user.username, PASSWORD, _code(device))
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_codes_at_the_verification_step_lock_and_sign_out(client, settings):
    user = StaffUserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)  # a session from before the authenticator was set up
    assert client.get("/staff/applications/")["Location"].startswith("/staff/verify/")
    page = client.get("/staff/verify/?next=/staff/applications/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/staff/verify/", {"otp_token": _code(device, 1)}).status_code == 400
    response = client.post("/staff/verify/", {"otp_token": _code(device, 1)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_verification_step_opens_the_session(client):
    user = StaffUserFactory(manager=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    response = client.post(
        "/staff/verify/", {"otp_token": _code(device), "next": "/staff/applications/"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/applications/"
    assert client.get("/staff/applications/").status_code == 200


def test_lockout_is_by_username_and_address_and_says_for_how_long(client, settings):
    user = StaffUserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/staff/login/",
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="192.0.2.10",
        )
    locked = client.post(
        "/staff/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert locked.status_code == 429
    assert "30 分間" in locked.content.decode()
    # The person at another address (the real owner) is not locked out by the guesser.
    other = client.post(
        "/staff/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.20"
    )
    assert other.status_code == 302
    client.logout()
    # A colleague behind the guesser's address is not locked either.
    colleague = StaffUserFactory()
    ok = client.post(
        "/staff/login/",
        {"username": colleague.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )
    assert ok.status_code == 302
    client.logout()
    english = client.post(
        "/staff/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 429
    assert "30 minutes" in english.content.decode()


def test_a_manager_requires_the_second_factor_for_a_role(client):
    manager = StaffUserFactory(manager=True)
    counter = StaffUserFactory(municipality=manager.municipality, counter=True)
    client.force_login(counter)
    assert client.get("/staff/security/").status_code == 403  # counter staff cannot set it
    assert client.get("/staff/reservations/").status_code == 200  # default: not required
    client.force_login(manager)
    assert client.get("/staff/security/").status_code == 200
    assert client.post("/staff/security/", {"roles": ["counter"]}).status_code == 302
    client.force_login(counter)
    # Until enrolled: only enrolment and sign-out.
    for path in ("/staff/", "/staff/reservations/", "/staff/faq/", "/staff/admin/"):
        assert client.get(path)["Location"] == "/staff/2fa/", path
    page = client.get("/staff/2fa/")
    assert page.status_code == 200 and "必須" in page.content.decode()
    device = TOTPDevice.objects.get(user=counter, confirmed=False)
    assert client.post("/staff/2fa/", {"token": _code(device)}).status_code == 302
    assert client.get("/staff/reservations/").status_code == 200
    # Another town's manager's choice does not reach this town; the manager is not bound.
    client.force_login(manager)
    assert client.get("/staff/applications/").status_code == 200
    client.post("/staff/security/", {"roles": []})
    other_counter = StaffUserFactory(municipality=manager.municipality, counter=True)
    client.force_login(other_counter)
    assert client.get("/staff/reservations/").status_code == 200


@pytest.mark.parametrize(
    "target", ["9999-12-31", "accounts:logout", "//evil.example/", "https://evil.example/"]
)
def test_the_verification_step_goes_only_to_a_path_on_this_site(client, target):
    user = StaffUserFactory(manager=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    assert client.get(f"/staff/verify/?next={target}").status_code == 200
    response = client.post("/staff/verify/", {"otp_token": _code(device), "next": target})
    assert response.status_code == 302 and response["Location"] == "/staff/"
