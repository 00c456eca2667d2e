"""Every text a municipality enters that residents read has its English version, offered in admin.

The models are walked, not listed: every character field of the apps below must either have an
``<field>_en`` companion or be named in NOT_RESIDENT_TEXT with the reason it needs none. A new
field without English therefore fails here until it gets one (core/localized_text.py then shows
it) or is explained. Catalogue (form builder) content joins this walk when its English fields land.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from madoguchi.accounts.tests.factories import StaffUserFactory

APPS = ("faq", "procedures", "reservations", "tenancy")
# Texts no resident reads as prose, or that are the resident's own data: no English needed.
NOT_RESIDENT_TEXT: dict[str, dict[str, str]] = {
    "faq.FaqEntry": {
        "alt_questions": "other phrasings of the question: search input, never shown",
        "keywords": "search input, never shown",
    },
    "faq.SharedFaqEntry": {
        "alt_questions": "other phrasings of the question: search input, never shown",
        "keywords": "search input, never shown",
    },
    "faq.FaqQueryLog": {
        "query": "the resident's own question (masked)",
        "query_key": "the resident's question normalised for counting",
        "language": "language code",
        "top_doc": "identifier of the FAQ found",
    },
    "procedures.Procedure": {
        "slug": "URL identifier (ASCII)",
        "standard_code": "identifier of the standard library entry",
        "search_keywords": "search input, never shown; Japanese analysis matches Japanese words",
    },
    "procedures.LifeEvent": {
        "slug": "URL identifier (ASCII)",
        "search_keywords": "search input, never shown",
    },
    "reservations.ReservationPolicy": {"kiosk_key": "secret in the kiosk URL"},
    "reservations.Service": {"series": "ticket letter A–Z"},
    "reservations.Window": {"label": "counter number shown on the display (digits)"},
    "reservations.Booking": {
        "code": "booking code",
        "secret_hash": "hash",
        "name": "the resident's own name",
        "phone": "the resident's own phone number",
        "email": "the resident's own address",
        "contact_hash": "hash",
        "submission_token": "technical token",
    },
    "reservations.TicketCounter": {"series": "ticket letter"},
    "reservations.Ticket": {"series": "ticket letter"},
    "tenancy.Prefecture": {
        "code": "official code",
        "name": "official name from the national code list, not entered by a municipality",
        "name_kana": "reading of the name, for Japanese sorting",
    },
    "tenancy.Municipality": {
        "code": "official code",
        "name_kana": "reading of the name, for Japanese sorting",
        "phone": "number",
        "email": "address",
        "website": "address",
    },
}
# Catalogue texts that also have a やさしい日本語 version.
EASY_JAPANESE_TEXTS = {
    "procedures.Procedure": ("summary", "description", "eligibility", "what_to_bring"),
    "procedures.LifeEvent": ("description",),
}
COMPANION_SUFFIXES = ("_en", "_easy")


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices  # choices are translated by gettext, like every UI string
        and not f.name.endswith(COMPANION_SUFFIXES)
    ]


def _models() -> list[type[models.Model]]:
    return [
        m
        for app in APPS
        for m in apps.get_app_config(app).get_models()
        if not m._meta.abstract and m._meta.managed
    ]


def test_every_resident_text_has_its_english_companion() -> None:
    missing = []
    for model in _models():
        names = {f.name for f in model._meta.get_fields()}
        exempt = NOT_RESIDENT_TEXT.get(model._meta.label, {})
        missing += [
            f"{model._meta.label}.{f.name}"
            for f in _text_fields(model)
            if f.name not in exempt and f"{f.name}_en" not in names
        ]
    assert not missing, (
        "texts residents read without an English field (add `<field>_en` and show it through "
        "core/localized_text.py, or name it in NOT_RESIDENT_TEXT with the reason): "
        + ", ".join(missing)
    )


def test_the_exemptions_name_real_fields() -> None:
    for label, fields in NOT_RESIDENT_TEXT.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.get_fields()}
        assert set(fields) <= names, f"{label}: {set(fields) - names}"


def test_catalogue_texts_have_easy_japanese_companions() -> None:
    for label, fields in EASY_JAPANESE_TEXTS.items():
        names = {f.name for f in apps.get_model(label)._meta.get_fields()}
        assert {f"{f}_easy" for f in fields} <= names, label


def test_companions_are_optional_and_at_least_as_long() -> None:
    for model in _models():
        fields = {f.name: f for f in model._meta.get_fields()}
        for name, field in fields.items():
            for suffix in COMPANION_SUFFIXES:
                if name.endswith(suffix) and name.removesuffix(suffix) in fields:
                    base = fields[name.removesuffix(suffix)]
                    assert isinstance(field, models.CharField | models.TextField)
                    assert field.blank, f"{model._meta.label}.{name} must be optional"
                    if isinstance(field, models.CharField) and isinstance(base, models.CharField):
                        assert (field.max_length or 0) >= (base.max_length or 0), name


@pytest.mark.django_db
def test_admin_forms_offer_the_companions_of_the_texts_they_offer() -> None:
    """Whoever edits a Japanese text in the admin can also write its English (and easy) text."""
    user = StaffUserFactory(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/staff/admin/")
    request.user = user
    checked = 0
    for model in _models():
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            continue
        offered = set(model_admin.get_form(request).base_fields)
        names = {f.name for f in model._meta.get_fields()}
        for field in _text_fields(model):
            for suffix in COMPANION_SUFFIXES:
                companion = f"{field.name}{suffix}"
                if field.name in offered and companion in names:
                    assert companion in offered, f"{model._meta.label}: {companion} not in admin"
                    checked += 1
    assert checked >= 15
