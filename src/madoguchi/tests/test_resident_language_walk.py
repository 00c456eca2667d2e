"""Every resident page in each added language shows no Japanese of ours.

Walks every resident URL of the URLConf (urlwalk: a new page is walked without editing this test)
in Chinese (simplified), Korean, Vietnamese and Portuguese (Brazil), as a resident in the
middle of an application, with GET and with each page's own POST forms sent empty (so the error
summaries and field errors are read too), plus the product's 404 page. On each HTML page the
text a reader sees (text, title, alt, aria-label, placeholder, button values) must contain no
hiragana or katakana, except:
- inside elements marked lang="ja" (Japanese on purpose: the language menu's 日本語, texts a
  municipality entered and did not translate);
- the municipality's and residents' own data in the fixtures (names, procedure texts, form
  labels, answers): every kana-bearing value stored in the database is taken out first.

Hall screens (kiosk, display, board) are not walked: they show Japanese with English beside it
whatever the language (core/resident_messages.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client

from madoguchi.tests import urlwalk
from madoguchi.tests.test_hostile_walk import WALK_ANSWERS, valid_value, world  # noqa: F401

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "ko", "vi", "pt-br"]
KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\uff66-\uff9f]")
NOT_RESIDENT_PREFIXES = ("staff/", "api/", "i18n/", "healthz")
HALL_MODULE = "madoguchi.reservations.views.hall"
SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class ShownText(HTMLParser):
    """The text a reader sees, without script, style and elements marked lang="ja"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden: Japanese on purpose or script)
        self.parts: list[str] = []

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = (
            self.hidden
            or tag in ("script", "style", "template")
            or (values.get("lang") or "").lower().startswith("ja")
        )
        if not hidden:
            self.parts += [values[a] or "" for a in SHOWN_ATTRIBUTES if values.get(a)]
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [
            s for k in value for s in _strings(k)
        ]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def tenant_data() -> list[str]:
    """Every kana-bearing text stored in the database (and the walk's answers), longest first."""
    found: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                found.update(s for s in _strings(value) if KANA.search(s))
    found.update(s for s in _strings(WALK_ANSWERS) if KANA.search(s))
    pieces = {line.strip() for text in found for line in text.splitlines() if line.strip()}
    return sorted(found | pieces, key=len, reverse=True)


def japanese_of_ours(html: str, data: list[str]) -> list[str]:
    parser = ShownText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in data:
        text = text.replace(value, " ")
    return sorted({m.group(0) for m in re.finditer(r"\S*[\u3040-\u30ff\uff66-\uff9f]+\S*", text)})


def resident_routes() -> list[urlwalk.Route]:
    return [
        r
        for r in urlwalk.routes()
        if not r.template.startswith(NOT_RESIDENT_PREFIXES)
        and r.callback.__module__ != HALL_MODULE
        and not r.template.startswith(("procedures/", "region/"))  # JSON; ja/en only
    ]


class _PostForms(HTMLParser):
    """The page's own POST forms: (action, hidden fields)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.forms.append((values.get("action") or "", {}))
        elif (
            tag == "input" and values.get("type") == "hidden" and self.forms and values.get("name")
        ):
            self.forms[-1][1][values["name"] or ""] = values.get("value") or ""


def _get(client: Client, method: str, path: str, **kwargs: Any) -> Any:
    with transaction.atomic():
        response = getattr(client, method)(path, **kwargs)
        transaction.set_rollback(True)
    return response


def _open_resident_pages(client: Client, world: dict[str, Any]) -> list[str]:  # noqa: F811
    """What a resident opens with their own codes: a booking (by its mail link), an
    application's status (receipt number and access code), a life event's procedures."""
    from madoguchi.applications import services as application_services
    from madoguchi.applications.models import Application
    from madoguchi.procedures.models import LifeEvent, LifeEventProcedure
    from madoguchi.reservations import services as reservation_services
    from madoguchi.reservations.models import Booking

    municipality = world["municipality"]
    code = municipality.code
    booking = Booking.objects.filter(municipality=municipality).first()
    assert booking is not None
    client.get(reservation_services.booking_manage_url(booking=booking))
    earlier = Application.objects.filter(municipality=municipality).first()
    assert earlier is not None
    submitted = application_services.application_submit(
        municipality=municipality,
        procedure=earlier.procedure,
        form_version=earlier.form_version,
        raw_answers=WALK_ANSWERS,
    )
    client.post(
        f"/{code}/status/",
        {
            "receipt_number": submitted.application.receipt_number,
            "access_code": submitted.access_code,
        },
    )
    event = LifeEvent.objects.create(municipality=municipality, slug="birth", name="出産")
    LifeEventProcedure.objects.create(life_event=event, procedure=world["procedure"])
    return [f"/{code}/life-events/birth/", f"/{code}/status/"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_resident_pages_show_no_japanese_of_ours(world: dict[str, Any], language: str):  # noqa: F811
    values = {**world["values"], "kind": "privacy", "number": "1"}
    code = world["municipality"].code
    client = Client(raise_request_exception=True)
    client.cookies["django_language"] = language
    pages = [f"/{code}/no-such-page/", *_open_resident_pages(client, world)]
    client.post(f"/{code}/procedures/{world['procedure'].slug}/apply/")
    data = tenant_data()
    for route in resident_routes():
        valid = {p: valid_value(route, p, values) for p in route.params}
        if route.name.startswith("counter:"):
            valid["slug"] = world["procedure"].slug
        pages.append(route.path(valid))
    offences: list[str] = []
    walked = 0
    for path in pages:
        response = _get(client, "get", path, follow=True)
        html = response.content.decode(errors="replace")
        if "html" not in response.get("Content-Type", "") or "<html" not in html:
            continue
        walked += 1
        assert f'<html lang="{language}"' in html, (path, response.status_code)
        offences += [f"GET {path}: {w}" for w in japanese_of_ours(html, data)]
        forms = _PostForms()
        forms.feed(html)
        for action, hidden in forms.forms:
            target = action or path
            if "setlang" in target or not target.startswith("/"):
                continue
            posted = _get(client, "post", target, data=hidden)
            if "html" in posted.get("Content-Type", "") and posted.status_code < 300:
                walked += 1
                offences += [
                    f"POST {target}: {w}" for w in japanese_of_ours(posted.content.decode(), data)
                ]
    assert walked >= 25, walked
    assert not offences, f"{len(offences)} Japanese strings of ours in {language}:\n" + "\n".join(
        sorted(set(offences))[:80]
    )
