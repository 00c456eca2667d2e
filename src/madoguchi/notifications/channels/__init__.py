"""The channel registry: one channel per name; SMS or LINE register themselves the same way.

from madoguchi.notifications.channels import register
register(MySmsChannel())   # notifications with channel="sms" go through it from then on
"""

from __future__ import annotations

from .base import Channel, OutgoingMessage
from .email import EmailChannel

_REGISTRY: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    _REGISTRY[channel.name] = channel


def channel_for(name: str) -> Channel:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no notification channel named {name!r}") from None


def channel_names() -> list[str]:
    return sorted(_REGISTRY)


register(EmailChannel())

__all__ = ["Channel", "EmailChannel", "OutgoingMessage", "channel_for", "channel_names", "register"]
