"""A mail server that is down: a real SMTP connection to a port of ours that refuses it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

# This worktree's port range (8300–8349): a port bound here but never listened on refuses
# connections at once, and nothing else can take it while the test runs.
PORTS = range(8340, 8350)


@pytest.fixture
def refused_port() -> Iterator[int]:
    for port in PORTS:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        try:
            yield port
        finally:
            sock.close()
        return
    pytest.fail(f"no free port in {PORTS}")


@pytest.fixture
def mail_server_down(settings: Any, refused_port: int) -> int:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = refused_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    return refused_port
