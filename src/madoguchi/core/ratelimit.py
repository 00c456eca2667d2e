"""Counting attempts in the cache: the one mechanism for every limit in the project.

A limit is a named rule — at most `count` events per `seconds` — counted per subject: the client
(a hash of its address) or a target (a 受付番号, a booking code, an e-mail address; also hashed,
so the cache holds no personal data). Windows are fixed: the window's number is part of the key.

Counting is atomic on a cache shared by every server process, so five workers do not multiply
a limit by five: Redis and Memcached increment atomically, the locmem cache under its lock
(per process: development only), and Django's DatabaseCache — the default shared cache, with
no extra service — by reading and writing the counter's row while holding its lock (a row lock
on PostgreSQL, the write lock of an IMMEDIATE transaction on SQLite). Limits come from RULES
and may be changed with the RATE_LIMITS setting: ``{"rule name": (count, seconds)}``.

A reverse proxy in front must set REMOTE_ADDR from the forwarded header it trusts.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.checks import CheckMessage, Warning
from django.db import connections, router, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from madoguchi.core.secrets import keyed_hash


@dataclass(frozen=True)
class Rule:
    count: int
    seconds: int


# Limits a person never reaches by using the service; a script does at once.
RULES: dict[str, Rule] = {
    # Failed status look-ups (受付番号 + 確認コード), per client and per 受付番号 from anywhere.
    "applications.lookup.client": Rule(20, 600),
    "applications.lookup.target": Rule(10, 3600),
    # Resume links sent by e-mail: per address and per client.
    "applications.resume_mail.address": Rule(3, 3600),
    "applications.resume_mail.client": Rule(10, 3600),
    # Files stored for drafts (one event per file), per client.
    "applications.upload.client": Rule(60, 3600),
    # Applications submitted (each sends a receipt mail), per client: web form and API.
    "applications.submit.client": Rule(20, 3600),
    # Online fee payments started or card numbers tried, per client (card testing stops here).
    "applications.pay.client": Rule(30, 3600),
    # Booking look-ups (予約番号 + 確認用の数字): failed tries per client and per booking code.
    "reservations.find.client": Rule(20, 600),
    "reservations.find.target": Rule(10, 3600),
    # Bookings made or changed (each sends a confirmation mail), per client.
    "reservations.book.client": Rule(20, 3600),
    # Application forms rendered as PDF for residents (a tenth of a second of CPU each), per client.
    "counter.print.client": Rule(30, 600),
    # Card reads handed off by a counter PC's agent, per counter station (a card a minute at
    # the busiest counter; a looping agent or a stolen station token meets it).
    "counter.card_read.station": Rule(30, 600),
    # Changes made by one staff member (every POST behind the staff guard: uploads, imports,
    # workflow actions that mail residents). Far above a busy day's work; a script or a stolen
    # session meets it.
    "staff.writes.user": Rule(2000, 3600),
}


def rule(name: str) -> Rule:
    override = getattr(settings, "RATE_LIMITS", {}).get(name)
    if override is not None:
        return Rule(int(override[0]), int(override[1]))
    return RULES[name]


def client_key(request: HttpRequest) -> str:
    address = str(request.META.get("REMOTE_ADDR", "") or "unknown")
    return hashlib.sha256(address.encode()).hexdigest()[:24]


def target_key(value: str) -> str:
    """A subject for a target (an address, a code): keyed, so the cache holds nothing readable."""
    return keyed_hash(value.strip().lower(), purpose="core.ratelimit.target")[:32]


def clock() -> float:
    """The time windows are counted by (one place, so tests can hold it inside one window)."""
    return time.time()


def window_number(seconds: int, now: float | None = None) -> int:
    """The number of the fixed window of `seconds` that `now` (default: the clock) falls in."""
    return int(now if now is not None else clock()) // seconds


def _window_key(name: str, subject: str, seconds: int, now: float | None) -> str:
    return f"rl:{name}:{subject}:{window_number(seconds, now)}"


def hit(name: str, subject: str, *, now: float | None = None) -> bool:
    """Count one event; False when the subject is over the rule's limit (refuse the request)."""
    limit = rule(name)
    key = _window_key(name, subject, limit.seconds, now)
    return increment(key, seconds=limit.seconds) <= limit.count


def hit_all(pairs: Iterable[tuple[str, str]], *, now: float | None = None) -> bool:
    """Count one event under each (rule, subject); False when any is over its limit."""
    results = [hit(name, subject, now=now) for name, subject in pairs]
    return all(results)


def exceeded(name: str, subject: str, *, now: float | None = None) -> bool:
    """Whether the subject has used up the rule in this window (counts nothing)."""
    limit = rule(name)
    return count(_window_key(name, subject, limit.seconds, now)) >= limit.count


def increment(key: str, *, seconds: int, cache: BaseCache | None = None) -> int:
    """Add one to the counter at ``key`` (created for ``seconds``); the new count."""
    cache = cache or caches["default"]
    if isinstance(cache, DatabaseCache):
        return _increment_database(cache, key, seconds)
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=seconds)
        return 1


def _increment_database(cache: DatabaseCache, key: str, seconds: int) -> int:
    """DatabaseCache.incr() is a get and a set: two processes may both read 4 and write 5.
    Here the counter's row is locked first, so increments of one key run one after another."""
    db = router.db_for_write(cache.cache_model_class)
    connection = connections[db]
    table = connection.ops.quote_name(cache._table)  # type: ignore[attr-defined]
    stored_key = cache.make_and_validate_key(key)
    for _attempt in range(5):
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                # A no-op write: takes the row lock (PostgreSQL; SQLite holds the database's).
                cursor.execute(
                    f"UPDATE {table} SET expires = expires WHERE cache_key = %s",  # noqa: S608
                    [stored_key],
                )
                locked = cursor.rowcount > 0
            if locked:
                value = int(cache.get(key) or 0) + 1  # None once expired: a new window
                cache.set(key, value, timeout=seconds)
                return value
        # No row yet: one process inserts it (the primary key decides), the others retry above.
        if cache.add(key, 1, timeout=seconds):
            return 1
    raise RuntimeError("rate-limit counter kept disappearing")  # pragma: no cover


def count(key: str, *, cache: BaseCache | None = None) -> int:
    return int((cache or caches["default"]).get(key, 0))


# --- Views -----------------------------------------------------------------------------------


def refusal_message() -> str:
    return _(
        "短い時間に操作が繰り返されたため、受け付けを一時的に止めています。"
        "しばらく待ってから、もう一度お試しください。"
    )


def too_many(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """The answer to a request over a limit: 429 with a message the person can act on."""
    response = HttpResponse(
        render_to_string(
            "core/rate_limited.html", {"message": message or refusal_message()}, request=request
        ),
        status=429,
    )
    response["Retry-After"] = "600"
    return response


def client_allowed(request: HttpRequest, *names: str) -> bool:
    """Count one request of this client under every rule in `names`; False if over any."""
    client = client_key(request)
    return hit_all((name, client) for name in names)


def limit(
    *names: str, methods: Iterable[str] = ("POST",)
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Count each request of `methods` per client under every rule in `names`; over a limit
    the view is not run and the client gets `too_many`. The rules stay readable on the view
    (``view.rate_limits``) so a test can check that every endpoint sending mail or storing
    files has one."""
    counted = {m.upper() for m in methods}

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method in counted and not client_allowed(request, *names):
                return too_many(request)
            return view(request, *args, **kwargs)

        wrapped.rate_limits = tuple(names)  # type: ignore[attr-defined]
        return wrapped

    return decorate


def limits_of(view: Any) -> tuple[str, ...]:
    """The rules a view (or one it wraps) declares with `limit` or `declare`."""
    found: list[str] = []
    while view is not None:
        found.extend(getattr(view, "rate_limits", ()))
        view = getattr(view, "__wrapped__", None)
    return tuple(found)


def declare(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view that counts its limits itself (per target, after validation)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view.rate_limits = (*getattr(view, "rate_limits", ()), *names)  # type: ignore[attr-defined]
        return view

    return decorate


# --- Configuration check -----------------------------------------------------------------------

MIN_DATABASE_CACHE_ENTRIES = 100_000


def check_cache(**_kwargs: Any) -> list[CheckMessage]:
    """DatabaseCache culls a third of its rows once it holds MAX_ENTRIES (300 by default): a
    client making many counters would wipe the others' — the limits need room."""
    cache = caches["default"]
    if isinstance(cache, DatabaseCache):
        entries = int(cache._max_entries)  # type: ignore[attr-defined]
        if entries < MIN_DATABASE_CACHE_ENTRIES:
            return [
                Warning(
                    f"The database cache keeps at most {entries} entries: rate-limit counters "
                    "would be culled under load.",
                    hint=f'Set CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] to at least '
                    f"{MIN_DATABASE_CACHE_ENTRIES}.",
                    id="madoguchi.W101",
                )
            ]
    return []
