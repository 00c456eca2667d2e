"""What each template needs, loaded at send time from the row the message is about.

An app registers one function per template in its `notices.py`:

    @context_for("applications/receipt")
    def receipt(reference: str, sealed: Mapping[str, str]) -> Envelope | None: ...

`reference` is the id stored in the notification (an application, an event, a booking …);
`sealed` holds what was sealed when it was queued (a one-time code, a link with its token, an
address kept nowhere else). The function runs in the recipient's language and returns the
recipient's address with the template context, or None when there is nothing to send any more
(the address was removed, the data purged, the draft submitted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Envelope:
    recipient: str
    context: dict[str, Any] = field(default_factory=dict)


ContextBuilder = Callable[[str, Mapping[str, str]], Envelope | None]

_REGISTRY: dict[str, ContextBuilder] = {}


def context_for(template: str) -> Callable[[ContextBuilder], ContextBuilder]:
    def register(builder: ContextBuilder) -> ContextBuilder:
        _REGISTRY[template] = builder
        return builder

    return register


def builder_for(template: str) -> ContextBuilder:
    try:
        return _REGISTRY[template]
    except KeyError:
        raise LookupError(f"no notification template registered as {template!r}") from None


def templates() -> list[str]:
    return sorted(_REGISTRY)
