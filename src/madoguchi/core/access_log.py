"""Request logs without personal data or secrets: one place for the access log and Django's.

gunicorn's access log records, for each request: time, method, path, status, bytes sent and
duration — never the query string (staff search terms, filters with names), the client's
address, the referrer or the user agent. Path segments that carry a secret (the draft resume
link's token, a correction link's token, a booking code, the kiosk key) are replaced by `***`.

Which segments are secret is read from the URLConf: a parameter named in SECRET_PARAMETERS, or
named in SECRET_PARAMETERS_BY_NAMESPACE inside that URL namespace. Every other parameter name
must be listed in PUBLIC_PARAMETERS (a test walks the URLConf), so a new URL with a new
parameter is classified on purpose. Paths that do not resolve (404s, static files) lose every
segment that looks like a token.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from urllib.parse import quote

from gunicorn.glogging import Logger

REDACTED = "***"

# Parameters that are secrets wherever they appear.
SECRET_PARAMETERS = frozenset({"token", "key"})
# Parameters that are secrets only in one URL namespace (elsewhere the name means something public).
SECRET_PARAMETERS_BY_NAMESPACE = {"reservations": frozenset({"code"})}  # the booking code
# Parameters that are not secrets: ids, slugs, the municipality code, the admin's own routes.
PUBLIC_PARAMETERS = frozenset(
    {
        "municipality_code",
        "code",  # outside reservations: the municipality code in the API
        "slug",
        "step_key",
        "pk",
        "id",
        "object_id",
        "content_type_id",
        "app_label",
        "url",
        "attachment_id",
        "entry_id",
        "item_id",
        "run_id",
        "service_id",
        "set_id",
        "ticket_id",
        "window_id",
        "number",  # a page of an attachment preview
        "exception_id",  # a closed day in the hall settings
        "case_id",  # a counter-mode form (its answers never are in a URL)
        "visit_id",  # a scanned visit at the counter (several procedures)
        "event",  # a life event's slug (the visit pre-input of its procedures)
        "shared_id",  # a shared procedure of the catalogue
        "adoption_id",  # a municipality's adoption of one
        "evidence_id",  # a DX-survey evidence file (downloaded after the access check)
        "question_id",  # a DX-survey question (the prefecture's questionnaire)
        "consultation_id",  # a liaison-desk consultation
        "file_id",  # a liaison-desk consultation's file (downloaded after the access check)
        "kind",  # a trust page: privacy, terms, accessibility
        "receipt_number",  # 受付番号: useless without the access code, which never is in a URL
    }
)

# An unresolved segment that looks like a token: long, URL-safe, letters and digits mixed.
_TOKEN_LIKE = re.compile(r"^(?=[^/]*\d)(?=[^/]*[A-Za-z])[A-Za-z0-9_\-]{16,}$")
# Characters kept as they are when the path is written to the log; the rest is percent-encoded,
# so a path cannot forge log lines (newlines, control characters).
_SAFE = "/-_.~!$&'()*+,;=:@"


def _secret_values(path: str) -> set[str] | None:
    """The values of the secret parameters in `path` according to the URLConf (None: no match)."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    secret = set(SECRET_PARAMETERS)
    for namespace in match.namespaces:
        secret |= SECRET_PARAMETERS_BY_NAMESPACE.get(namespace, frozenset())
    return {str(value) for name, value in match.kwargs.items() if name in secret}


def redact_path(path: str) -> str:
    """`path` (decoded, without query string) as it may be logged."""
    secrets: set[str] | None
    try:
        secrets = _secret_values(path)
    except Exception:  # no URLConf here (Django not set up): fall back to the shape of segments
        secrets = None
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment in secrets if secrets is not None else _TOKEN_LIKE.match(segment):
            segments[index] = REDACTED
    return quote("/".join(segments), safe=_SAFE)


def _environ_path(environ: dict[str, Any]) -> str:
    # PATH_INFO holds the request's bytes as latin-1 (PEP 3333); Django decodes them as UTF-8.
    raw = str(environ.get("PATH_INFO") or "/")
    try:
        return raw.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return raw


def access_line(
    environ: dict[str, Any], status: str | int, sent: int | None, seconds: float
) -> str:
    """One access-log line: time, method, redacted path, status, bytes, milliseconds."""
    method = re.sub(r"[^A-Z]", "?", str(environ.get("REQUEST_METHOD") or "-")[:16])
    code = str(status).split(None, 1)[0]
    size = "-" if sent is None else str(sent)
    when = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return f"{when} {method} {redact_path(_environ_path(environ))} {code} {size} {seconds * 1000:.0f}ms"


class AccessLogger(Logger):
    """gunicorn's logger with the access line above (logger_class in madoguchi.gunicorn_config)."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info(
                "%s",
                access_line(
                    environ,
                    resp.status,
                    getattr(resp, "sent", None),
                    request_time.total_seconds(),
                ),
            )
        except Exception:  # a log line must never break a response
            self.error("access log line failed")

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        # "Error handling request GET /path?query": the URI as the access log would show it.
        args = tuple(
            redact_uri(arg) if isinstance(arg, str) and arg.startswith("/") else arg for arg in args
        )
        super().exception(msg, *args, **kwargs)


def redact_uri(uri: str) -> str:
    """A raw request URI (path and query string) as it may be logged: the path only, redacted."""
    from urllib.parse import unquote

    return redact_path(unquote(uri.split("?", 1)[0].split("#", 1)[0]))


class RedactRequestPath(logging.Filter):
    """Django's own request logs ("Not Found: /…/resume/<token>/") with the path redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            redacted = redact_path(getattr(request, "path_info", path))
            record.args = tuple(redacted if arg == path else arg for arg in record.args)
        return True
