"""Residents read six languages: every resident-facing message is translated into each.

"Resident-facing" is defined once, in core/resident_messages.py (RESIDENT_SOURCES: the files a
message's `#:` references must be in). Staff pages stay in Japanese and English.
`madoguchi untranslated_resident_messages` lists (and exports) what is missing.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation

from madoguchi.core.resident_messages import (
    NOT_RESIDENT,
    PACKAGE,
    RESIDENT_LOCALES,
    RESIDENT_SOURCES,
    catalogues,
    is_resident_entry,
)

# Placeholders a translation must keep exactly: %(name)s, %s, {name}, and HTML tags.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}|<[^>]+>")
KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\uff66-\uff9f]")
NPLURALS = {"zh_Hans": 1, "ko": 1, "vi": 1, "pt_BR": 2}
CASES = [(locale, path) for locale in RESIDENT_LOCALES for path in catalogues(locale)]


def _id(case: tuple[str, Path]) -> str:
    locale, path = case
    return f"{locale}:{path.relative_to(PACKAGE).parts[0]}"


def test_every_resident_language_is_offered_with_its_catalogues():
    codes = [code for code, _name in settings.LANGUAGES]
    assert codes == ["ja", "en", "zh-hans", "ko", "vi", "pt-br"]
    for locale in RESIDENT_LOCALES:
        assert PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.po" in catalogues(locale)
        # The FAQ keeps its own catalogue (Django finds <app>/locale): it must exist too.
        assert PACKAGE / "faq" / "locale" / locale / "LC_MESSAGES" / "django.po" in catalogues(
            locale
        )
    names = dict(settings.LANGUAGES)
    assert names["zh-hans"] == "简体中文"
    assert names["ko"] == "한국어"
    assert names["vi"] == "Tiếng Việt"
    assert names["pt-br"] == "Português (Brasil)"


def test_every_pattern_names_existing_files():
    """A renamed template must not silently drop its messages from the resident set."""
    files = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*") if p.is_file()]
    from fnmatch import fnmatch

    stale = [p for p in RESIDENT_SOURCES + NOT_RESIDENT if not any(fnmatch(f, p) for f in files)]
    assert not stale


def test_the_resident_set_is_substantial():
    po = polib.pofile(str(PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    resident = [e for e in po if not e.obsolete and is_resident_entry(e)]
    assert len(resident) > 400


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_every_resident_message_is_translated(case):
    locale, path = case
    po = polib.pofile(str(path))
    assert not po.metadata_is_fuzzy, (
        "a fuzzy header is dropped by msgfmt (and Plural-Forms with it)"
    )
    assert f"nplurals={NPLURALS[locale]};" in po.metadata["Plural-Forms"].replace(" ", "")
    missing, broken = [], []
    for entry in po:
        if entry.obsolete or not is_resident_entry(entry):
            continue
        if "fuzzy" in entry.flags:
            missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(NPLURALS[locale])]
            wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural))
        else:
            forms = [entry.msgstr]
            wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        if not all(form.strip() for form in forms):
            missing.append(entry.msgid)
            continue
        for form in forms:
            if sorted(PLACEHOLDER.findall(form)) != wanted:
                broken.append(f"{entry.msgid!r} → {form!r}")
    assert not missing, (
        f"{len(missing)} resident-facing messages untranslated in {locale} ({path.parent.parent.parent}); "
        f"run `madoguchi untranslated_resident_messages --tsv` — e.g. {missing[:5]}"
    )
    assert not broken, f"placeholders differ from the msgid: {broken[:5]}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_compiled_catalogue_matches(case):
    _locale, po_path = case
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "compile with `make messages`"
    po = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path)) if e.translated()}
    mo = {(e.msgctxt, e.msgid) for e in polib.mofile(str(mo_path))}
    assert po == mo, "the .mo is out of date: run `make messages`"


@pytest.mark.parametrize("language", ["zh-hans", "ko", "vi", "pt-br"])
def test_dates_in_each_language_keep_no_japanese_script(language):
    """Resident date formats are translated (context "date format"); the era input stays Japanese."""
    day = date(2026, 4, 1)
    moment = datetime(2026, 4, 1, 9, 5)
    with translation.override(language):
        shown = [
            formats.date_format(day, translation.pgettext("date format", "Y年n月j日")),
            formats.date_format(day, translation.pgettext("date format", "n月j日（D）")),
            formats.date_format(
                moment, translation.pgettext("date and time format", "Y年n月j日（D） H:i")
            ),
            formats.date_format(day, "DATE_FORMAT"),
            formats.date_format(moment, "DATETIME_FORMAT"),
            formats.number_format(1234.5, 1),
        ]
    assert all(not KANA.search(text) for text in shown), shown
    assert all("2026" in text for text in shown[:1] + shown[2:5]), shown
    if language in ("vi", "pt-br"):
        assert shown[0] == "01/04/2026"
    if language == "ko":
        assert shown[0] == "2026년 4월 1일"
    if language == "zh-hans":
        assert shown[0] == "2026年4月1日"


def test_japanese_dates_are_unchanged():
    with translation.override("ja"):
        assert formats.date_format(date(2026, 4, 1), "DATE_FORMAT") == "2026年4月1日"


@pytest.mark.parametrize("language", ["zh-hans", "ko", "vi", "pt-br"])
def test_resident_mail_is_written_in_the_residents_language(language):
    """Mails are rendered in the language the resident used (notifications/tasks.py)."""
    municipality = SimpleNamespace(name="M", phone="", __str__=lambda self: "M")
    application = SimpleNamespace(
        procedure=SimpleNamespace(display_name="P"), receipt_number="20260401-000001"
    )
    context = {
        "municipality": municipality,
        "application": application,
        "municipality_name": "M",
        "procedure_name": "P",
        "access_code": "12345678",
        "status_url": "https://example.jp/status/",
        "url": "https://example.jp/resume/",
    }
    with translation.override(language):
        subject = render_to_string("applications/email/receipt_subject.txt", context)
        body = render_to_string("applications/email/receipt_body.txt", context)
        resume = render_to_string("applications/email/resume_body.txt", context)
    for text in (subject, body, resume):
        assert not KANA.search(text), text
    assert "20260401-000001" in body


@pytest.mark.django_db
def test_the_language_menu_offers_every_language_and_works_without_javascript(client):
    from madoguchi.tenancy.tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory()
    home = f"/{municipality.code}/"
    page = client.get(home).content.decode()
    assert '<html lang="ja">' in page
    assert '<details class="mg-lang mg-lang--menu">' in page  # a disclosure: no script needed
    for code, name in settings.LANGUAGES:
        assert f'name="language" value="{code}" lang="{code}"' in page
        assert f">{name}</button>" in page
    response = client.post("/i18n/setlang/", {"language": "vi", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    page = client.get(home).content.decode()
    assert '<html lang="vi">' in page
    assert 'value="vi" lang="vi" aria-current="true"' in page
    assert "Thủ tục" in page or "thủ tục" in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/staff/login/", "/region/procurement/"])
def test_staff_and_region_pages_stay_in_japanese_and_english(client, path):
    client.cookies["django_language"] = "vi"
    page = client.get(path, follow=True).content.decode()
    assert '<html lang="ja">' in page
    assert 'value="vi"' not in page  # the menu offers what the page has: 日本語 / English
    assert 'value="en" lang="en">English</button>' in page
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(path, follow=True).content.decode()
