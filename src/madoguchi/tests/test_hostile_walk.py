"""Every URL of the project, every parameter, hostile values, every role: never a 5xx.

How it walks (see urlwalk.py):
- URLs: the whole URLConf, enumerated (resident, staff, admin, the django-ninja API), so a new
  URL is covered without editing this test. Each path parameter gets a real value from the
  world below (so the view reaches its real work), except the one under attack.
- Query parameters: names scanned from each view module's source and filter forms, found in
  the rendered page (same-page links, GET forms), the OpenAPI document for API routes, and a
  few common names (page, from, day, date, q …).
- Forms: the POST forms of the page, the POST names and form classes the module reads, and
  for API routes the JSON body fields (the answers dict gets every field of the form).
- Requests: per role × URL × hostile value, one GET with the value in every query parameter,
  one GET per path parameter holding the value, one POST with the value in every form field
  (and in fields named like dict methods), one API call per body shape. Each request runs in
  a savepoint that is rolled back, so no request changes the world of the next one (and a
  database error on PostgreSQL cannot poison the rest of the walk); the cache is cleared
  before each, so rate limits do not hide the code behind them (a 429 would be fine too).
"""

from __future__ import annotations

import json
import logging
import os
import time as time_module
import traceback
from collections import Counter
from datetime import datetime, time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.api import api
from madoguchi.applications import services as application_services
from madoguchi.applications.handoff.models import Scope as TokenScope
from madoguchi.applications.handoff.services import api_token_create
from madoguchi.applications.models import StaffDepartment
from madoguchi.applications.tests.factories import (
    DEFINITION,
    VALID_ANSWERS,
    FormVersionFactory,
)
from madoguchi.faq.tests.factories import FaqEntryFactory, FaqQueryLogFactory
from madoguchi.reservations import services as reservation_services
from madoguchi.reservations.models import ReservationPolicy
from madoguchi.reservations.tests.factories import hall, working_day
from madoguchi.tests import urlwalk

pytestmark = pytest.mark.django_db

# --- The table of hostile values -------------------------------------------------------------

DICT_METHODS = ("items", "keys", "values", "get", "update")

HOSTILE: dict[str, list[str]] = {
    "calendar edge": [
        "9999-12-31",
        "0001-01-01",
        "10000-01-01",
        "2026-02-30",
        "9999-12-31T23:59",
        "0000-00-00",
    ],
    "NUL byte": ["a\x00b"],
    "very long": ["あ" * 3000, "a" * 250 + "@example.jp"],
    "digit-like Unicode": ["١٢٣", "①", "²", "１２３"],
    "integer edge": ["-1", "99999999999999999999999", "9223372036854775808", "1e309"],
    "dict method": list(DICT_METHODS),
    "path traversal": ["../../../etc/passwd"],
    "HTML/script": ['<script>alert("x")</script>'],
    "whitespace only": [" \t\u3000"],
    "emoji": ["😀👨‍👩‍👧"],
}
# Sent as they are in the URL: percent-escapes that do not decode as UTF-8.
RAW_ESCAPES = ["%FF%FE%80", "%C0%AF..%C0%AF"]

COMMON_QUERY = {"page", "p", "q", "o", "from", "to", "day", "date", "days", "start", "status"}


def hostile_values() -> list[tuple[str, str]]:
    """(value class, URL-encoded value)."""
    table = [(kind, quote(v, safe="")) for kind, values in HOSTILE.items() for v in values]
    return table + [("invalid UTF-8", raw) for raw in RAW_ESCAPES]


def _decoded(encoded: str) -> str:
    from urllib.parse import unquote

    return unquote(encoded, errors="replace")


# --- The world the walk runs in --------------------------------------------------------------

WALK_DEFINITION: dict[str, Any] = json.loads(json.dumps(DEFINITION))
# Fields named like dict methods (a template's `answers.items` must not call the method).
WALK_DEFINITION["steps"][0]["fields"] += [
    {"key": key, "type": "text", "label": f"項目 {key}"} for key in DICT_METHODS
] + [{"key": "consent", "type": "checkbox", "label": "同意", "required": True}]
WALK_ANSWERS = {
    **VALID_ANSWERS,
    **{key: f"{key} の値" for key in DICT_METHODS},
    "consent": True,
}


@pytest.fixture
def world() -> dict[str, Any]:
    municipality, service, windows = hall(windows=2)
    policy = ReservationPolicy.objects.get(municipality=municipality)
    version = FormVersionFactory(
        procedure__municipality=municipality,
        procedure__department="市民課",
        procedure__booking=True,
        definition=WALK_DEFINITION,
    )
    procedure = version.procedure
    no_file = FormVersionFactory(
        procedure__municipality=municipality,
        definition={**WALK_DEFINITION, "steps": WALK_DEFINITION["steps"][:1]},
    )
    submitted = application_services.application_submit(
        municipality=municipality,
        procedure=no_file.procedure,
        form_version=no_file,
        raw_answers=WALK_ANSWERS,
    )
    application = submitted.application
    draft = application_services.draft_start(procedure=procedure, form_version=version)
    resume_link = application_services.draft_issue_resume_link(
        draft=draft, base_url="http://testserver/"
    )
    day = working_day(timezone.localdate())
    booking = reservation_services.booking_create(
        municipality=municipality,
        service=service,
        start=timezone.make_aware(datetime.combine(day, time(10, 0))),
        name="山田 花子",
        phone="090-1234-5678",
        submission_token="walk-token",
    ).booking
    ticket = reservation_services.ticket_issue(municipality=municipality, service=service)
    entry = FaqEntryFactory(municipality=municipality, published=True)
    FaqQueryLogFactory(municipality=municipality, unanswered=True)

    users: dict[str, Any] = {}
    for role in Role:
        if role in (Role.PREFECTURE_VIEWER, Role.PREFECTURE_DX):
            users[role] = StaffUserFactory(
                username=f"walk-{role}",
                role=role,
                municipality=None,
                prefecture=municipality.prefecture,
            )
        else:
            users[role] = StaffUserFactory(
                username=f"walk-{role}",
                role=role,
                municipality=municipality,
                is_staff=role == Role.MUNICIPALITY_ADMIN,
            )
            StaffDepartment.objects.create(
                municipality=municipality, staff=users[role], department="市民課"
            )
    users["superuser"] = StaffUserFactory(
        username="walk-superuser",
        municipality=None,
        role="",
        is_staff=True,
        is_superuser=True,
    )
    _token, secret = api_token_create(
        municipality=municipality, name="core system", scopes=TokenScope.values
    )
    attachment = application.attachments.first() if hasattr(application, "attachments") else None
    values = {
        "municipality_code": municipality.code,
        "slug": procedure.slug,
        "step_key": "applicant",
        "token": resume_link.rstrip("/").rsplit("/", 1)[-1],
        "pk": str(application.pk),
        "receipt_number": application.receipt_number,
        "attachment_id": str(attachment.pk)
        if attachment
        else "00000000-0000-0000-0000-000000000000",
        "service_id": str(service.pk),
        "window_id": str(windows[0].pk),
        "ticket_id": str(ticket.pk),
        "key": policy.kiosk_key,
        "booking_code": booking.code,
        "run_id": "1",
        "item_id": "1",
        "set_id": "1",
        "entry_id": "1",
        "faq_pk": str(entry.pk),
        "day": day.isoformat(),
    }
    return {
        "municipality": municipality,
        "procedure": procedure,
        "version": version,
        "users": users,
        "secret": secret,
        "values": values,
    }


def valid_value(route: urlwalk.Route, param: str, values: dict[str, str]) -> str:
    namespace = route.namespace
    if param == "code":
        return (
            values["booking_code"] if namespace == "reservations" else values["municipality_code"]
        )
    if param == "pk" and namespace.startswith("faq"):
        return values["faq_pk"]
    if param in ("object_id", "app_label", "url", "content_type_id"):
        return _admin_value(route, param)
    return values.get(param, "1")


def _admin_value(route: urlwalk.Route, param: str) -> str:
    from django.contrib import admin

    if param == "app_label":
        return route.name and "accounts"
    if param == "url":
        return "nothing-here/"
    if param == "content_type_id":
        return "1"
    # admin:<app>_<model>_change → the first row of that model.
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if route.name.startswith(prefix):
            pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
            return quote(str(pk), safe="") if pk is not None else "1"
    return "1"


# --- API routes: the OpenAPI document gives the query parameters and the body shape ----------


def _openapi_operations() -> dict[tuple[str, str], dict[str, Any]]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    operations = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations[(path, method.upper())] = {**operation, "components": schema}
    return operations


def _api_path(route: urlwalk.Route) -> str:
    path = "/" + route.template
    for param in route.params:
        path = path.replace(f"%({param})s", "{" + param + "}")
    return path


def _body_fields(operation: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        schema = operation["components"]["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return list(schema.get("properties", {}))


# --- The walk ---------------------------------------------------------------------------------


class Walker:
    def __init__(self, world: dict[str, Any]) -> None:
        self.world = world
        self.failures: list[str] = []
        self.requests = 0
        self.tried = 0  # URLs × parameters × values × roles
        self.statuses: Counter[int] = Counter()
        self._exception: str = ""
        got_request_exception.connect(self._record_exception)

    def _record_exception(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        self._exception = traceback.format_exc(limit=-6)

    def close(self) -> None:
        got_request_exception.disconnect(self._record_exception)

    def send(self, client: Client, method: str, path: str, **kwargs: Any) -> Any:
        """One request, rolled back afterwards; a 5xx is recorded with its traceback."""
        cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
        cache.clear()
        self._exception = ""
        with transaction.atomic():
            response = getattr(client, method)(path, **kwargs)
            transaction.set_rollback(True)
        client.cookies = cookies
        self.requests += 1
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            data = kwargs.get("data")
            self.failures.append(
                f"{response.status_code} {method.upper()} {path[:300]!r} "
                f"data={str(data)[:200]!r}\n{self._exception}"
            )
        return response


def _clients(world: dict[str, Any]) -> dict[str, Client]:
    clients: dict[str, Client] = {"anonymous": Client(raise_request_exception=False)}
    for role, user in world["users"].items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[str(role)] = client
    clients["api token"] = Client(
        raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world['secret']}"
    )
    # Residents in the middle of an application: a draft in the session.
    for client in (clients["anonymous"], clients["api token"]):
        client.post(f"/{world['municipality'].code}/procedures/{world['procedure'].slug}/apply/")
    return clients


# The walk is split into shards that pytest-xdist runs on every core (routes dealt round-robin).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_url_answers_5xx_to_hostile_input_as_any_role(
    world: dict[str, Any], caplog, shard: int
) -> None:
    # Thousands of expected 404/400 warnings: keep only errors (a 5xx is asserted below anyway).
    caplog.set_level(logging.ERROR, logger="django.request")
    every_route = [r for r in urlwalk.routes() if not r.name.endswith("display_stream")]
    all_routes = every_route[shard::SHARDS]
    operations = _openapi_operations()
    clients = _clients(world)
    walker = Walker(world)
    started = time_module.monotonic()
    try:
        for route in all_routes:
            _walk_route(walker, clients, route, operations)
    finally:
        walker.close()
    summary = (
        f"hostile walk: {len(all_routes)} URL patterns × {len(clients)} roles × "
        f"{len(HOSTILE) + 1} value classes ({len(hostile_values())} values); "
        f"URL × parameter × value × role combinations tried {walker.tried}, "
        f"requests {walker.requests}, statuses {dict(sorted(walker.statuses.items()))}, "
        f"5xx {len(walker.failures)}, {time_module.monotonic() - started:.0f} s"
    )
    print(summary)
    if report := os.environ.get("MADOGUCHI_WALK_REPORT"):  # figures for a closing note
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"shard {shard + 1}/{SHARDS}: {summary}\n")
    assert not walker.failures, f"{summary}\n" + "\n".join(walker.failures[:30])


def _turned_away(response: Any) -> bool:
    """The door's answer (log in first, not allowed), given before the view reads any input."""
    if response.status_code in (401, 403):
        return True
    return response.status_code in (301, 302) and "login" in response.get("Location", "")


def _walk_route(
    walker: Walker,
    clients: dict[str, Client],
    route: urlwalk.Route,
    operations: dict[tuple[str, str], dict[str, Any]],
) -> None:
    values = walker.world["values"]
    valid = {p: valid_value(route, p, values) for p in route.params}
    path = route.path(valid)
    source_query, source_form = urlwalk.source_parameters(route.callback)
    is_api = route.namespace == "api"
    api_ops = {m: op for (p, m), op in operations.items() if p == _api_path(route)}
    if is_api:
        source_query = {
            prm["name"]
            for op in api_ops.values()
            for prm in op.get("parameters", [])
            if prm.get("in") == "query"
        }
    door_walked = False
    outcomes: set[tuple[int, str]] = set()
    for role, client in clients.items():
        if role == "api token" and not is_api:
            continue  # outside the API the token is ignored: the same requests as anonymous
        query_names = source_query | COMMON_QUERY
        form_names = set(source_form)
        baseline = walker.send(client, "get", path)
        if _turned_away(baseline):
            # Every role the door turns away gets the same answer: walk the door once per URL,
            # one request per value class with the value in every parameter at once.
            if not door_walked:
                door_walked = True
                _walk_door(walker, client, route, valid, query_names, form_names)
            continue
        # Roles let in with the same answer (e.g. every staff role on a resident page) run
        # the same code: the first of them is walked.
        outcome = (baseline.status_code, baseline.get("Location", ""))
        if outcome in outcomes:
            continue
        outcomes.add(outcome)
        takes_post = bool(form_names) or "POST" in baseline.get("Allow", "")
        if baseline.status_code == 200 and "html" in baseline.get("Content-Type", ""):
            found = urlwalk.page_parameters(path, baseline.content.decode(errors="replace"))
            query_names |= found.query
            form_names |= found.form
            takes_post = takes_post or bool(found.form)
        if not takes_post:
            form_names = set()
        _walk_inside(walker, client, route, valid, query_names, form_names, api_ops, takes_post)


def _class_representatives() -> list[str]:
    return [quote(values[0], safe="") for values in HOSTILE.values()] + [RAW_ESCAPES[0]]


def _walk_door(
    walker: Walker,
    client: Client,
    route: urlwalk.Route,
    valid: dict[str, str],
    query_names: set[str],
    form_names: set[str],
) -> None:
    n_params = len(route.params) + len(query_names)
    for value in _class_representatives():
        walker.tried += n_params
        query = "&".join(f"{quote(name, safe='')}={value}" for name in sorted(query_names))
        hostile_path = route.path({p: value for p in route.params})
        walker.send(client, "get", f"{hostile_path}?{query}")


def _form(names: set[str], value: str) -> dict[str, str]:
    return {name: _decoded(value) for name in names | set(DICT_METHODS)}


def _walk_inside(
    walker: Walker,
    client: Client,
    route: urlwalk.Route,
    valid: dict[str, str],
    query_names: set[str],
    form_names: set[str],
    api_ops: dict[str, dict[str, Any]],
    takes_post: bool,
) -> None:
    path = route.path(valid)
    # Every value of the table in every query parameter at once (path valid): filters are
    # where calendar edges and numbers bite, so no member of a class is left out here.
    for _kind, value in hostile_values():
        walker.tried += len(query_names)
        query = "&".join(f"{quote(name, safe='')}={value}" for name in sorted(query_names))
        walker.send(client, "get", f"{path}?{query}")
    for value in _class_members(walker.requests):
        # One member of each class in each path parameter in turn …
        for param in route.params:
            walker.tried += 1
            walker.send(client, "get", route.path({**valid, param: value}))
        # … in every form field, or every field of the API body.
        if api_ops:
            _walk_api_bodies(walker, client, path, value, api_ops)
        elif takes_post:
            walker.tried += len(form_names)
            walker.send(client, "post", path, data=_form(form_names, value))


def _class_members(turn: int) -> list[str]:
    """One value of each class, a different member each time, so the walk uses them all."""
    members = [[quote(v, safe="") for v in values] for values in HOSTILE.values()]
    members.append(RAW_ESCAPES)
    return [values[turn % len(values)] for values in members]


def _walk_api_bodies(
    walker: Walker,
    client: Client,
    path: str,
    value: str,
    api_ops: dict[str, dict[str, Any]],
) -> None:
    text = _decoded(value)
    for method, operation in api_ops.items():
        if method != "POST":
            continue
        fields = _body_fields(operation)
        walker.tried += len(fields)
        body: dict[str, Any] = {name: text for name in fields}
        if "answers" in body:
            answers = {key: text for key in ("name", "birth_date", "email", "consent")}
            answers |= {key: text for key in DICT_METHODS}
            body = {
                "procedure": walker.world["procedure"].slug,
                "form_version": walker.world["version"].number,
                "answers": answers,
            }
            walker.send(
                client, "post", path, data=json.dumps(body), content_type="application/json"
            )
            body = {**body, "form_version": text, "procedure": text}
        walker.send(client, "post", path, data=json.dumps(body), content_type="application/json")
