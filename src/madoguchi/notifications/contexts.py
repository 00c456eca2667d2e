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
class Attachment:
    filename: str  # no personal data: it is visible in every mail client
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Envelope:
    recipient: str
    context: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


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


# --- Extensions: another app's part of a template's message ------------------------------------
# An app above the template's own may add to its messages without the two importing each other
# (the counter adds the pre-input's QR code to the booking confirmation). `gather` runs in the
# request that queues the message and returns values to seal with it; `extend` runs at send time
# with the sealed values and returns the envelope with its part (context, attachments).

Gather = Callable[[Any, Any], dict[str, str]]  # (request, subject of the message) → sealed values
Extend = Callable[[Envelope, Mapping[str, str]], Envelope]


@dataclass(frozen=True)
class Extension:
    gather: Gather
    extend: Extend


_EXTENSIONS: dict[str, list[Extension]] = {}


def extension_register(template: str, *, gather: Gather, extend: Extend) -> None:
    _EXTENSIONS.setdefault(template, []).append(Extension(gather, extend))


def extensions_gather(template: str, request: Any, subject: Any) -> dict[str, str]:
    """The sealed values every extension of `template` takes from this request."""
    gathered: dict[str, str] = {}
    for extension in _EXTENSIONS.get(template, []):
        gathered.update(extension.gather(request, subject))
    return gathered


def extensions_apply(template: str, envelope: Envelope, sealed: Mapping[str, str]) -> Envelope:
    for extension in _EXTENSIONS.get(template, []):
        envelope = extension.extend(envelope, sealed)
    return envelope
