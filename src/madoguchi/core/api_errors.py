"""The error bodies of the JSON API and the responses each operation documents.

Every operation lists the status codes it can answer (schemathesis checks the document against
the running API): `responses(ok, 404, 422)` gives ninja's `response=` mapping with these bodies.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class DetailOut(Schema):
    """400 (a body that is not JSON), 401, 403, 404, 409, 429: one message, in Japanese."""

    detail: str


class ErrorsOut(Schema):
    """422: what is wrong, and where (field path → messages)."""

    message: str
    errors: dict[str, list[str]]


def responses(ok: dict[int, Any], *statuses: int) -> dict[int, Any]:
    """`ok` (e.g. {200: SomeOut}) plus an error body for each of `statuses`."""
    return {**ok, **{s: ErrorsOut if s == 422 else DetailOut for s in statuses}}
