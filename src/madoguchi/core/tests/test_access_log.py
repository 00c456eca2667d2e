"""Request logs keep no query strings and no secrets in paths (core.access_log)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from gunicorn.config import Config

from madoguchi.core import access_log

SECRET_VALUE = "S3cretValue0123456789abcdef"
SAMPLE = {"int": "4242", "slug": "sample-slug", "uuid": "12345678-1234-5678-1234-567812345678"}
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()) -> Any:
    """(route, namespaces) of every route-style URL pattern; regex patterns (the admin's) apart."""
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if isinstance(entry, URLResolver):
            space = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _routes(entry, prefix + str(pattern), space)
        elif isinstance(entry, URLPattern):
            yield prefix + str(pattern), namespaces, isinstance(pattern, RoutePattern)


def _parameter_names() -> set[str]:
    names = set()
    for route, _, _ in _routes(get_resolver()):
        names |= {m[1] for m in PARAMETER.findall(route)}
        names |= set(re.findall(r"\(\?P<(\w+)>", route))
    return names


def test_every_url_parameter_is_classified_as_secret_or_public() -> None:
    names = _parameter_names()
    classified = (
        access_log.SECRET_PARAMETERS
        | access_log.PUBLIC_PARAMETERS
        | {n for s in access_log.SECRET_PARAMETERS_BY_NAMESPACE.values() for n in s}
    )
    assert names - classified == set(), "classify these URL parameters in core/access_log.py"


def test_every_secret_segment_of_every_url_is_redacted() -> None:
    walked = redacted = 0
    for route, namespaces, is_route in _routes(get_resolver()):
        if not is_route or "(?P<" in route or "^" in route:
            continue
        secret = set(access_log.SECRET_PARAMETERS)
        for namespace in namespaces:
            secret |= access_log.SECRET_PARAMETERS_BY_NAMESPACE.get(namespace, frozenset())

        def value(match: re.Match[str], secret: set[str] = secret) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            if name in secret:
                return SECRET_VALUE
            return "229997" if name == "municipality_code" else SAMPLE.get(converter, "public")

        path = "/" + PARAMETER.sub(value, route)
        walked += 1
        logged = access_log.redact_path(path)
        assert SECRET_VALUE not in logged, (route, logged)
        if SECRET_VALUE in path:
            redacted += 1
            assert access_log.REDACTED in logged
        else:
            assert logged == path, (route, logged)  # public paths are kept whole
    assert walked > 100 and redacted >= 11  # resume, correction, 5 booking and 4 kiosk routes


def test_unresolved_paths_lose_token_like_segments_and_cannot_forge_lines() -> None:
    assert access_log.redact_path("/nowhere/abcdefgh12345678XYZ/") == "/nowhere/***/"
    assert access_log.redact_path("/static/reservations/display.3f2a9c1b7e.js") == (
        "/static/reservations/display.3f2a9c1b7e.js"
    )
    forged = access_log.redact_path("/x\n2026-01-01 GET /admin 200")
    assert "\n" not in forged and " " not in forged


def test_access_line_has_no_query_string_and_no_token() -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/229997/resume/{SECRET_VALUE}/",
        "QUERY_STRING": "q=%E5%B1%B1%E7%94%B0",
        "RAW_URI": f"/229997/resume/{SECRET_VALUE}/?q=%E5%B1%B1%E7%94%B0",
        "REMOTE_ADDR": "203.0.113.9",
    }
    line = access_log.access_line(environ, "200 OK", 5120, 0.0123)
    assert line.endswith(" GET /229997/resume/***/ 200 5120 12ms")
    assert "q=" not in line and "203.0.113.9" not in line and SECRET_VALUE not in line


def test_gunicorn_logger_writes_the_redacted_line(tmp_path: Path) -> None:
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = access_log.AccessLogger(config)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/staff/applications/",
        "QUERY_STRING": "q=窓口花子",
        "RAW_URI": "/staff/applications/?q=窓口花子",
    }
    response = SimpleNamespace(status="302 Found", sent=0)
    logger.access(response, None, environ, timedelta(milliseconds=7))
    text = (tmp_path / "access.log").read_text()
    assert text.strip().endswith("POST /staff/applications/ 302 0 7ms")
    assert "窓口花子" not in text and "q=" not in text


def test_django_request_log_path_is_redacted() -> None:
    request = RequestFactory().get(f"/229997/correction/{SECRET_VALUE}/?q=x")
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", request.path), None
    )
    record.request = request
    assert access_log.RedactRequestPath().filter(record)
    assert record.getMessage() == "Not Found: /229997/correction/***/"


def test_gunicorn_error_lines_carry_the_redacted_path_only(tmp_path: Path) -> None:
    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = access_log.AccessLogger(config)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception(
            "Error handling request %s %s", "GET", f"/229997/resume/{SECRET_VALUE}/?q=%E5%B1%B1"
        )
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request GET /229997/resume/***/" in text
    assert SECRET_VALUE not in text and "q=" not in text
