"""Handing the attributes to the counter's open form: one authenticated POST, nothing kept.

The agent side of the channel in docs/card-agent.md: the per-counter token (issued by the back
office, revocable) authenticates the counter; the server attaches the attributes to the one
card-read request open at that counter, valid for a short time, and refuses otherwise. The
server side is not built yet; this module is what the agent sends and how it reads the answer.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .messages import CardError
from .reader import Reading

TIMEOUT_SECONDS = 10
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
EXIT_HANDOFF = 4


def check_server_url(url: str) -> None:
    """HTTPS, except to this PC itself (a development server): attributes never cross a
    network in clear text."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return
    raise CardError("handoff_url", exit_code=2, url=url)


def payload(reading: Reading) -> bytes:
    return json.dumps(
        {"attributes": reading.attributes.as_json(), "authenticity": reading.authenticity},
        ensure_ascii=False,
    ).encode("utf-8")


def send(reading: Reading, *, url: str, token: str) -> None:
    """POST the reading once; raise CardError saying why the form did not receive it."""
    check_server_url(url)
    if not token:
        raise CardError("handoff_token_missing", exit_code=2)
    if reading.my_number is not None:
        # The 個人番号 goes to the form only through a channel built for it, not this one.
        raise CardError("handoff_my_number", exit_code=2)
    request = urllib.request.Request(  # noqa: S310 — scheme checked above (https or local http)
        url,
        data=payload(reading),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise CardError("handoff_refused", exit_code=EXIT_HANDOFF) from exc
        if exc.code in (404, 409, 410):
            raise CardError("handoff_no_open_form", exit_code=EXIT_HANDOFF) from exc
        raise CardError(
            "handoff_failed", exit_code=EXIT_HANDOFF, detail=f"HTTP {exc.code}"
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CardError("handoff_failed", exit_code=EXIT_HANDOFF, detail=reason) from exc
