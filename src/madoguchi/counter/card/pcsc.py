"""A card on a PC/SC reader through pyscard (the optional extra `madoguchi[card]`).

pyscard's CardConnection already has the interface the reader uses (`transmit(list[int])`), so
this module only finds a reader and connects; nothing of the card is kept.
"""

from __future__ import annotations

from typing import Any

from .messages import CardError


def pyscard_available() -> bool:
    try:
        import smartcard  # noqa: F401
    except ImportError:
        return False
    return True


def connect(reader_name: str | None = None) -> Any:
    """A connected pyscard CardConnection on the first reader (or the one whose name contains
    `reader_name`)."""
    try:
        from smartcard.Exceptions import CardConnectionException, NoCardException
        from smartcard.System import readers
    except ImportError as exc:
        raise CardError("no_pyscard", exit_code=3) from exc
    try:
        available = [r for r in readers() if reader_name is None or reader_name in str(r)]
    except Exception as exc:  # pcscd not running: pyscard raises its own error types
        raise CardError("no_reader", exit_code=3) from exc
    if not available:
        raise CardError("no_reader", exit_code=3)
    connection = available[0].createConnection()
    try:
        connection.connect()
    except (NoCardException, CardConnectionException) as exc:
        raise CardError("no_card", exit_code=3) from exc
    return connection
