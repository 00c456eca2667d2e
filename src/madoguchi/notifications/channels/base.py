"""What a channel is: it turns a template and its context into a message, and sends it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..contexts import Attachment


@dataclass(frozen=True)
class OutgoingMessage:
    recipient: str  # the address on the channel (e-mail address, phone number, LINE id …)
    subject: str  # empty on channels without one
    body: str
    attachments: tuple[Attachment, ...] = ()


class Channel(Protocol):
    name: str

    def render(
        self, *, template: str, recipient: str, context: Mapping[str, Any]
    ) -> OutgoingMessage:
        """Render `template` ("app/name") for this channel; called in the recipient's language."""
        ...

    def send(self, message: OutgoingMessage) -> None:
        """Deliver or raise: any exception counts as a failed attempt and is retried."""
        ...
