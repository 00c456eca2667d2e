"""One helper for secrets: keyed HMAC for every stored secret, old rows still verify."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from madoguchi.applications import codes, selectors, services
from madoguchi.applications.handoff import services as handoff
from madoguchi.applications.handoff.models import ApiToken
from madoguchi.applications.tests.factories import ApplicationFactory, FormVersionFactory
from madoguchi.core import secrets
from madoguchi.reservations import codes as reservation_codes
from madoguchi.reservations import selectors as reservation_selectors
from madoguchi.reservations import services as reservation_services

pytestmark = pytest.mark.django_db


def test_keyed_hash_needs_the_key_and_separates_purposes():
    digest = secrets.keyed_hash("12345678", purpose="a")
    assert digest == secrets.keyed_hash("12345678", purpose="a")
    assert digest != secrets.keyed_hash("12345678", purpose="b")
    assert digest != hashlib.sha256(b"12345678").hexdigest()
    with override_settings(SECRET_KEY="another-key-another-key-another-key-0123456789"):
        assert secrets.keyed_hash("12345678", purpose="a") != digest
    assert secrets.matches("12345678", digest, purpose="a")
    assert not secrets.matches("12345679", digest, purpose="a")
    assert not secrets.matches("12345678", digest, purpose="b")


def test_a_rotated_key_keeps_verifying_through_the_fallbacks():
    digest = secrets.keyed_hash("12345678", purpose="a")
    with override_settings(SECRET_KEY="new-key-new-key-new-key-new-key-0123456789"):
        assert not secrets.matches("12345678", digest, purpose="a")
    with override_settings(
        SECRET_KEY="new-key-new-key-new-key-new-key-0123456789",
        SECRET_KEY_FALLBACKS=["test-only-not-secret"],
    ):
        assert secrets.matches("12345678", digest, purpose="a")


def test_new_access_codes_are_keyed_and_old_rows_still_open_the_status_page():
    salt = codes.new_salt()
    assert salt.startswith(codes.KEYED_SALT_MARK) and len(salt) <= 32
    stored = codes.hash_secret("12345678", salt)
    # Not the old unkeyed format: reading the database is not enough to test codes offline.
    assert stored != hashlib.sha256(f"{salt}:12345678".encode()).hexdigest()
    keyed = ApplicationFactory(access_code_salt=salt, access_code_hash=stored)
    # A row written before the helper: bare hex salt, plain salted SHA-256.
    legacy_salt = "0f" * 16
    legacy = ApplicationFactory(
        access_code_salt=legacy_salt,
        access_code_hash=hashlib.sha256(f"{legacy_salt}:87654321".encode()).hexdigest(),
    )
    for application, code in ((keyed, "12345678"), (legacy, "87654321")):
        found = selectors.application_for_resident(
            municipality=application.municipality,
            receipt_number=application.receipt_number,
            access_code=code,
        )
        assert found == application
        wrong = selectors.application_for_resident(
            municipality=application.municipality,
            receipt_number=application.receipt_number,
            access_code="11111111",
        )
        assert wrong is None


def test_resume_links_old_and_new_format():
    version = FormVersionFactory(without_files=True)
    municipality = version.procedure.municipality
    draft = services.draft_start(procedure=version.procedure, form_version=version)
    url = services.draft_issue_resume_link(draft=draft, base_url="http://testserver/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    draft.refresh_from_db()
    assert draft.resume_token_hash == codes.hash_secret(token)
    assert draft.resume_token_hash != hashlib.sha256(f":{token}".encode()).hexdigest()
    assert selectors.draft_by_resume_token(municipality=municipality, token=token) == draft
    # A link issued before the helper (plain SHA-256 of ":token") still resumes.
    draft.resume_token_hash = hashlib.sha256(b":old-token").hexdigest()
    draft.save(update_fields=["resume_token_hash"])
    assert selectors.draft_by_resume_token(municipality=municipality, token="old-token") == draft
    assert selectors.draft_by_resume_token(municipality=municipality, token="other") is None


def test_api_tokens_old_and_new_format():
    application = ApplicationFactory()
    token, raw = handoff.api_token_create(
        municipality=application.municipality, name="基幹", scopes=["applications:read"]
    )
    secret = raw[len(handoff.TOKEN_PREFIX) :].partition("_")[2]  # the secret may hold "_"
    assert token.token_hash == secrets.keyed_hash(secret, purpose="applications.api-token")
    assert handoff.api_token_check(raw) == token
    assert handoff.api_token_check(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    ApiToken.objects.filter(pk=token.pk).update(
        token_hash=hashlib.sha256(secret.encode()).hexdigest()
    )
    assert handoff.api_token_check(raw) == token


def test_booking_secrets_moved_to_the_helper_keep_their_values():
    """Bookings stored before the helper verify: the helper reproduces the old HMAC exactly."""
    from madoguchi.reservations.tests.factories import at, hall, working_day

    old_secret_hash = salted_hmac(
        "madoguchi.reservations.secret-hash", "ABCD2345:123456"
    ).hexdigest()
    assert reservation_codes.secret_hash(code="ABCD2345", secret="123456") == old_secret_hash
    old_contact = salted_hmac("madoguchi.reservations.contact", "09012345678").hexdigest()
    assert reservation_codes.contact_hash(phone="090-1234-5678", email="") == old_contact
    old_secret = salted_hmac("madoguchi.reservations.secret", "tok").hexdigest()
    assert (
        reservation_codes.secret_for(submission_token="tok")
        == f"{int(old_secret[:12], 16) % 10**6:06d}"
    )
    municipality, service, _ = hall()
    result = reservation_services.booking_create(
        municipality=municipality,
        service=service,
        start=at(working_day(timezone.localdate()), 10),
        name="来庁 太郎",
        phone="090-1234-5678",
        submission_token="tok",
    )
    booking = result.booking
    assert (
        reservation_selectors.booking_access(
            municipality=municipality, code=booking.code, secret=result.secret
        )
        == booking
    )
    assert (
        reservation_selectors.booking_access(
            municipality=municipality,
            code=booking.code,
            secret="000000" if result.secret != "000000" else "111111",
        )
        is None
    )
