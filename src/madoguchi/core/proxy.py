"""The client's address behind a reverse proxy (TRUSTED_PROXIES), for rate limits and lockouts.

Behind a proxy every request comes from the proxy's address: per-client limits would become one
limit for the whole town. When the connecting address is a trusted proxy, the client is the
right-most address in X-Forwarded-For that is not itself a trusted proxy (addresses further left
were written by the client and prove nothing). Without TRUSTED_PROXIES nothing changes.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip()
    )


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, trusted: tuple[str, ...]) -> str:
    networks = _networks(trusted)
    if not networks or not _is_trusted(remote_addr, networks):
        return remote_addr
    client = remote_addr
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: keep the last address a trusted proxy vouched for
        client = hop
        if not _is_trusted(hop, networks):
            break
    return client


class TrustedProxyMiddleware:
    """Sets REMOTE_ADDR to the client's address when the request came through a trusted proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = tuple(settings.TRUSTED_PROXIES)
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(
                str(request.META.get("REMOTE_ADDR", "")),
                str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
                trusted,
            )
        return self.get_response(request)
