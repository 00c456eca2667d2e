"""The English catalogue is complete and its compiled form is current."""

from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
LOCALE = PACKAGE / "locale"
# The project catalogue plus any app that keeps its own (Django finds <app>/locale itself).
CATALOGUES = sorted(PACKAGE.glob("locale/en/LC_MESSAGES/*.po")) + sorted(
    PACKAGE.glob("*/locale/en/LC_MESSAGES/*.po")
)


def test_there_is_an_english_catalogue():
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.po") in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.name)
def test_every_message_is_translated(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, f"{len(missing)} untranslated in {po_path.name}, e.g. {missing[:5]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.name)
def test_compiled_catalogue_matches(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run `make messages` to compile the catalogue"
    po = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(str(po_path))
        if e.translated()
    }
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(str(mo_path))
    }
    assert po.keys() == mo.keys(), "the .mo is out of date: run `make messages`"


def test_a_page_renders_in_english(client, db):
    from madoguchi.tenancy.tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory()
    response = client.get(f"/{municipality.code}/status/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "Check the status" in text or "status" in text.lower()
    assert "申請の状況確認" not in text
