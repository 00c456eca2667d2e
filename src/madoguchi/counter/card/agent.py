"""`madoguchi card-agent`: read the card-face attributes on the counter PC.

    madoguchi card-agent --card CARD.json --pin NNNN --once        an emulated card (checks)
    madoguchi card-agent --card CARD.json --collation-b DIGITS --once
    madoguchi card-agent [--reader NAME] [--issuer-key PEM] [--once]  a card on a PC/SC reader
    … --server URL [--counter-token TOKEN]                          hand off to the open form

Prints {"name", "address", "birth_date": "YYYY-MM-DD", "sex"} as one JSON line on stdout;
notices (tries left, authenticity) and errors on stderr, in Japanese or English (--lang, else
LANG). With --server the attributes are POSTed once to the counter's open form instead of
printed. Exit status: 0 read, 1 the card refused or failed, 2 wrong arguments or input,
3 no reader, no card or no pyscard, 4 the hand-off to the form failed. Nothing is written to disk, except that an emulated card's
tries are written back into its CARD.json as a real card keeps them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from . import emulated, handoff, pcsc, reader
from .messages import CardError, Language, language, text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="madoguchi card-agent",
        description="Read the My Number card's card-face attributes (券面事項入力補助AP).",
    )
    parser.add_argument(
        "--card", type=Path, help="an emulated card (CARD.json) instead of a reader"
    )
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--pin", help="the 4-digit card-face PIN (prompted when not given)")
    secret.add_argument(
        "--collation-b", dest="collation_b", help="照合番号B: 14 digits from the card face"
    )
    parser.add_argument("--once", action="store_true", help="read one card and exit")
    parser.add_argument("--lang", choices=("ja", "en"), help="language of messages (default LANG)")
    parser.add_argument("--reader", help="use the PC/SC reader whose name contains this text")
    parser.add_argument(
        "--issuer-key",
        type=Path,
        help="PEM public key or certificate of the issuer, to verify the card's signature",
    )
    parser.add_argument(
        "--legal-basis",
        help="the procedure's legal basis for reading the 個人番号 (never read without it)",
    )
    parser.add_argument(
        "--server",
        help="POST the attributes to this endpoint of the counter's open form (https)",
    )
    parser.add_argument(
        "--counter-token",
        dest="counter_token",
        help="this counter's token (default: the MADOGUCHI_COUNTER_TOKEN environment variable)",
    )
    return parser


def _load_issuer_key(path: Path) -> rsa.RSAPublicKey:
    try:
        data = path.read_bytes()
        try:
            key: Any = load_pem_public_key(data)
        except ValueError:
            key = x509.load_pem_x509_certificate(data).public_key()
    except (OSError, ValueError) as exc:
        raise CardError("issuer_key", exit_code=2, path=path, detail=exc) from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise CardError("issuer_key", exit_code=2, path=path, detail="not an RSA key")
    return key


def _output(result: reader.Reading) -> str:
    payload: dict[str, str] = result.attributes.as_json()
    if result.my_number is not None:
        payload["my_number"] = result.my_number
    return json.dumps(payload, ensure_ascii=False)


def _read_emulated(args: argparse.Namespace, report: reader.Report) -> reader.Reading:
    try:
        raw, card = emulated.load_card_file(args.card)
    except emulated.CardFileError as exc:
        raise CardError("card_file", exit_code=2, path=args.card, detail=exc) from exc
    # Typing mistakes are refused before the card sees them (no try spent, file unchanged).
    reader.check_format(pin=args.pin, collation_b=args.collation_b)
    connection = emulated.EmulatedCard(card)
    try:
        return reader.read_card(
            connection,
            pin=args.pin,
            collation_b=args.collation_b,
            issuer_key=emulated.test_issuer_key().public_key(),
            legal_basis=args.legal_basis,
            report=report,
        )
    finally:
        emulated.save_tries(args.card, raw, card)


def _read_hardware(
    args: argparse.Namespace, report: reader.Report, issuer_key: rsa.RSAPublicKey | None
) -> reader.Reading:
    pin, collation_b = args.pin, args.collation_b
    if pin is None and collation_b is None:
        pin = getpass.getpass("暗証番号（4桁） / PIN: ")
    reader.check_format(pin=pin, collation_b=collation_b)
    connection = pcsc.connect(args.reader)
    try:
        return reader.read_card(
            connection,
            pin=pin,
            collation_b=collation_b,
            issuer_key=issuer_key,
            legal_basis=args.legal_basis,
            report=report,
        )
    finally:
        connection.disconnect()


def main(argv: list[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parser().parse_args(argv)
    lang: Language = language(args.lang)

    def report(notice: reader.Notice) -> None:
        print(text(notice.code, lang, **notice.params), file=err, flush=True)

    token = args.counter_token or os.environ.get("MADOGUCHI_COUNTER_TOKEN", "")

    def deliver(result: reader.Reading) -> None:
        if args.server is None:
            print(_output(result), file=out, flush=True)
            return
        handoff.send(result, url=args.server, token=token)
        report(reader.Notice("handoff_sent", {}))

    try:
        if args.server is not None:  # refused before the card spends anything
            handoff.check_server_url(args.server)
            if args.legal_basis:
                raise CardError("handoff_my_number", exit_code=2)
        if args.card is not None:
            deliver(_read_emulated(args, report))
            return 0
        issuer_key = _load_issuer_key(args.issuer_key) if args.issuer_key else None
        while True:
            try:
                deliver(_read_hardware(args, report, issuer_key))
            except CardError as exc:
                if args.once:
                    raise
                print(exc.message(lang), file=err, flush=True)
            if args.once:
                return 0
            # One card at a time: the clerk presses Enter when the next card is on the reader.
            args.pin = args.collation_b = None
            report(reader.Notice("next_card", {}))
            try:
                input()
            except (EOFError, KeyboardInterrupt):
                return 0
    except CardError as exc:
        print(exc.message(lang), file=err, flush=True)
        return exc.exit_code
