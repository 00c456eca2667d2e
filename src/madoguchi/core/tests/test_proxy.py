"""The client's address behind a trusted reverse proxy (core.proxy)."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from madoguchi.core.proxy import TrustedProxyMiddleware, client_address

PROXIES = ("10.0.0.0/24", "127.0.0.1")


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),  # through the proxy
        (
            "10.0.0.5",
            "198.51.100.1, 203.0.113.7",
            "203.0.113.7",
        ),  # the left one is the client's claim
        ("127.0.0.1", "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two trusted proxies in a row
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from a proxy: the header is ignored
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "not-an-address, 203.0.113.7", "203.0.113.7"),
        ("10.0.0.5", "203.0.113.7, garbage", "10.0.0.5"),
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(remote: str, forwarded: str, client: str) -> None:
    assert client_address(remote, forwarded, PROXIES) == client


def test_without_trusted_proxies_nothing_changes() -> None:
    assert client_address("10.0.0.5", "203.0.113.7", ()) == "10.0.0.5"


def test_middleware_sets_remote_addr_for_what_follows() -> None:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        TrustedProxyMiddleware(view)(request)
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    TrustedProxyMiddleware(view)(request)  # the default: no proxy trusted
    assert seen == ["203.0.113.7", "127.0.0.1"]
