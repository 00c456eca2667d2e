"""The agent's hand-off: one authenticated POST to the counter's open form, nothing kept."""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from madoguchi.counter.card import handoff
from madoguchi.counter.card.agent import main
from madoguchi.counter.card.messages import CardError

CARD = {
    "name": "髙橋　𠮷子",
    "address": "北海道札幌市中央区北１条西２丁目１番地",
    "birth_date": "19551231",
    "sex": "2",
    "pin": "4321",
    "pin_tries": 3,
    "collation_b": None,
    "collation_b_tries": 10,
    "my_number": "123456789018",
}
PORTS = range(9210, 9300)  # this helper's range


class Form(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Form.received.append((self.path, dict(self.headers), body))
        if self.headers["Authorization"] != "Bearer counter-3-token":
            self.send_response(401)
        elif self.path == "/counter/card-reads/":
            self.send_response(204)
        else:
            self.send_response(409)  # no form waiting at this counter
        self.end_headers()

    def log_message(self, *args: object) -> None:  # keep test output quiet
        return None


@pytest.fixture
def server() -> Iterator[str]:
    Form.received = []
    for port in PORTS:
        with contextlib.suppress(OSError):
            httpd = ThreadingHTTPServer(("127.0.0.1", port), Form)
            break
    else:
        pytest.fail("no free port in 9210-9299")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "card.json"
    if not path.exists():
        path.write_text(json.dumps(CARD, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["--card", str(path), "--pin", "4321", "--once", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_attributes_go_to_the_form_once_with_the_counter_token(server, tmp_path):
    url = f"{server}/counter/card-reads/"
    code, out, err = run(tmp_path, "--server", url, "--counter-token", "counter-3-token")
    assert code == 0, err
    assert out == ""  # sent to the form, not printed
    assert "フォームに送りました" in err
    ((path, headers, body),) = Form.received
    assert path == "/counter/card-reads/"
    assert headers["Authorization"] == "Bearer counter-3-token"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body) == {
        "attributes": {
            "name": "髙橋　𠮷子",
            "address": "北海道札幌市中央区北１条西２丁目１番地",
            "birth_date": "1955-12-31",
            "sex": "2",
        },
        "authenticity": "verified",
    }
    assert "123456789018" not in body.decode()


def test_the_token_may_come_from_the_environment(server, tmp_path, monkeypatch):
    monkeypatch.setenv("MADOGUCHI_COUNTER_TOKEN", "counter-3-token")
    code, _, err = run(tmp_path, "--server", f"{server}/counter/card-reads/")
    assert code == 0, err


@pytest.mark.parametrize(
    ("path", "token", "message"),
    [
        ("/counter/card-reads/", "stolen", "端末トークンを受け付けませんでした"),
        ("/counter/closed/", "counter-3-token", "読み取りを待っているフォームがありません"),
    ],
)
def test_refusals_are_said_and_exit_4(server, tmp_path, path, token, message):
    code, out, err = run(tmp_path, "--server", server + path, "--counter-token", token)
    assert code == handoff.EXIT_HANDOFF and out == "" and message in err


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    # A port of this helper's range with nothing listening.
    code, _, err = run(
        tmp_path, "--server", "http://127.0.0.1:9299/x/", "--counter-token", "counter-3-token"
    )
    assert code == handoff.EXIT_HANDOFF and "フォームに送れませんでした" in err


@pytest.mark.parametrize("url", ["http://counter.example.jp/x/", "ftp://127.0.0.1/x", "x"])
def test_only_https_leaves_this_pc_and_the_card_is_not_touched(tmp_path, url):
    code, _, err = run(tmp_path, "--server", url, "--counter-token", "t")
    assert code == 2 and "https" in err
    assert "残り回数" not in err  # refused before any APDU


def test_missing_token_and_my_number_are_refused(server, tmp_path, monkeypatch):
    monkeypatch.delenv("MADOGUCHI_COUNTER_TOKEN", raising=False)
    code, _, err = run(tmp_path, "--server", f"{server}/counter/card-reads/")
    assert code == 2 and "端末トークン" in err
    code, _, err = run(
        tmp_path,
        "--server",
        f"{server}/counter/card-reads/",
        "--counter-token",
        "counter-3-token",
        "--legal-basis",
        "番号法 別表第一",
    )
    assert code == 2 and "個人番号はこの経路では送りません" in err
    assert "残り回数" not in err  # refused before the card was touched
    assert Form.received == []
    with pytest.raises(CardError):
        handoff.check_server_url("https://")
