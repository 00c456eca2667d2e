"""Issuing and taking in a pre-input in both modes; every refusal has its code."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from madoguchi.counter import services
from madoguchi.counter.models import PreInput, PreInputMode
from madoguchi.counter.preinput import codec, qr
from madoguchi.counter.preinput.errors import PreInputRefused
from madoguchi.counter.tests.factories import PreInputSettingFactory, preinput_form_version
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "name": {"family": "山田", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ"},
    "birth_date": "1975-04-01",
    "email": "hanako@example.jp",
}


@pytest.fixture(params=[PreInputMode.TOKEN, PreInputMode.PAYLOAD])
def mode(request):
    return request.param


@pytest.fixture
def version(mode):
    version = preinput_form_version()
    PreInputSettingFactory(municipality=version.procedure.municipality, mode=mode)
    return version


def _issue(version, now=None):
    return services.preinput_issue(
        procedure=version.procedure, form_version=version, answers=ANSWERS, now=now
    )


def _refusal(municipality, text, **kwargs):
    with pytest.raises(PreInputRefused) as refused:
        services.preinput_redeem(municipality=municipality, scanned_text=text, **kwargs)
    return refused.value.code


def test_qr_round_trip_through_the_real_encoder_and_decoder(version, mode):
    """Render PNGs with segno, decode them with zxing-cpp, take the pre-input in."""
    issued = _issue(version)
    assert issued.mode == mode
    decoded = [text for t in issued.qr_texts for text in qr.decode_image(qr.png(t))]
    assert decoded == issued.qr_texts
    data = services.preinput_redeem(
        municipality=version.procedure.municipality, scanned_text="\n".join(reversed(decoded))
    )
    assert data.answers == ANSWERS
    assert data.procedure == version.procedure and data.form_version == version
    assert data.mode == mode


def test_token_mode_qr_code_holds_the_token_only(version, mode):
    issued = _issue(version)
    for text in issued.qr_texts:
        for value in ("山田", "花子", "ヤマダ", "1975", "hanako"):
            assert value not in text
    if mode == PreInputMode.TOKEN:
        prefix, code, token = issued.qr_texts[0].split(".")
        assert (prefix, code) == ("PT1", version.procedure.municipality.code)
        assert len(token) == 32  # 160 random bits in base32
        row = PreInput.objects.get()
        assert row.token_hash != token and token not in row.token_hash


def test_a_second_scan_is_refused(version):
    issued = _issue(version)
    town = version.procedure.municipality
    services.preinput_redeem(municipality=town, scanned_text="\n".join(issued.qr_texts))
    assert _refusal(town, "\n".join(issued.qr_texts)) == "PI-USED"
    # A token's answers are gone from the server once taken in.
    assert all(row.answers == {} for row in PreInput.objects.all())


def test_an_expired_pre_input_is_refused(version):
    issued = _issue(version, now=timezone.now() - timedelta(days=15))
    assert _refusal(version.procedure.municipality, "\n".join(issued.qr_texts)) == "PI-EXPIRED"


def test_another_municipality_is_refused(version, mode):
    issued = _issue(version)
    other = MunicipalityFactory()
    PreInputSettingFactory(municipality=other, mode=mode)
    assert _refusal(other, "\n".join(issued.qr_texts)) == "PI-OTHER-TOWN"


def test_a_forged_pre_input_is_refused(version, mode):
    town = version.procedure.municipality
    if mode == PreInputMode.TOKEN:
        forged = f"PT1.{town.code}.{'A' * 32}"
        assert _refusal(town, forged) == "PI-UNKNOWN"
    else:
        header = codec.Header(town.code, version.procedure.slug, version.number, 0, 2**32 - 1)
        forged = codec.split(codec.seal(header, ANSWERS, key=b"k" * 32))
        assert _refusal(town, "\n".join(forged)) == "PI-FORGED"


def test_a_tampered_payload_is_refused(version, mode):
    if mode != PreInputMode.PAYLOAD:
        pytest.skip("payload mode")
    issued = _issue(version)
    text = issued.qr_texts[0]
    # Change one character of the data (the last characters carry the tag).
    i = len(text) - 20
    tampered = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]
    assert _refusal(version.procedure.municipality, tampered) in {"PI-FORGED", "PI-FORMAT"}


def test_a_payload_whose_expiry_was_pushed_back_is_refused(version, mode):
    if mode != PreInputMode.PAYLOAD:
        pytest.skip("payload mode")
    issued = _issue(version, now=timezone.now() - timedelta(days=30))
    message = bytearray(codec.join(issued.qr_texts))
    message[11:15] = (2**32 - 1).to_bytes(4, "big")  # the expiry field of the header
    assert _refusal(version.procedure.municipality, "\n".join(codec.split(bytes(message)))) == (
        "PI-FORGED"
    )


def test_the_resident_deletes_a_token_pre_input(version, mode):
    if mode != PreInputMode.TOKEN:
        pytest.skip("token mode")
    issued = _issue(version)
    town = version.procedure.municipality
    assert services.preinput_for_resident(municipality=town, token=issued.token) is not None
    assert services.preinput_delete(municipality=town, token=issued.token)
    assert not PreInput.objects.exists()
    assert _refusal(town, issued.qr_texts[0]) == "PI-UNKNOWN"


def test_prune_removes_expired_and_consumed(version, mode):
    if mode != PreInputMode.TOKEN:
        pytest.skip("token mode")
    _issue(version, now=timezone.now() - timedelta(days=20))
    kept = _issue(version)
    used = _issue(version)
    services.preinput_redeem(
        municipality=version.procedure.municipality, scanned_text=used.qr_texts[0]
    )
    assert services.preinput_prune() == 2
    assert services.preinput_for_resident(
        municipality=version.procedure.municipality, token=kept.token
    )


def test_refusals_speak_japanese_with_a_code():
    refused = PreInputRefused("PI-EXPIRED")
    assert "有効期限" in refused.message and refused.message.endswith("（PI-EXPIRED）")


def test_prune_command(version, mode):
    if mode != PreInputMode.TOKEN:
        pytest.skip("token mode")
    _issue(version, now=timezone.now() - timedelta(days=20))
    out = io.StringIO()
    call_command("preinput_prune", stdout=out)
    assert out.getvalue().strip() == "preinputs=1"
    assert not PreInput.objects.exists()
