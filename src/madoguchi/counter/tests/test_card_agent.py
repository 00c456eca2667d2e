"""`madoguchi card-agent --card CARD.json … --once`: the exact command-line contract."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from madoguchi.counter.card.agent import main

SRC = Path(__file__).resolve().parents[3]

CARD = {
    "name": "髙橋　𠮷子",
    "address": "北海道札幌市中央区北１条西２丁目１番地",
    "birth_date": "19551231",
    "sex": "2",
    "pin": "4321",
    "pin_tries": 3,
    "collation_b": "30123120341234",
    "collation_b_tries": 10,
}


def card_file(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "card.json"
    path.write_text(json.dumps({**CARD, **changes}, ensure_ascii=False), encoding="utf-8")
    return path


def agent(*args: str, lang: str = "ja_JP.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "LANG": lang, "LC_ALL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the agent needs no settings
    env.pop("SECRET_KEY", None)
    return subprocess.run(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-m", "madoguchi.cli", "card-agent", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_pin_read_prints_the_four_attributes_as_json(tmp_path):
    path = card_file(tmp_path, pin_tries=2)
    done = agent("--card", str(path), "--pin", "4321", "--once")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1
    assert "髙橋　𠮷子" in done.stdout  # ensure_ascii=False
    assert json.loads(done.stdout) == {
        "name": "髙橋　𠮷子",
        "address": "北海道札幌市中央区北１条西２丁目１番地",
        "birth_date": "1955-12-31",
        "sex": "2",
    }
    assert "残り回数：2回" in done.stderr and "電子署名を確かめました" in done.stderr
    assert json.loads(path.read_text(encoding="utf-8"))["pin_tries"] == 3  # reset


def test_wrong_pin_exits_non_zero_and_the_file_keeps_the_spent_try(tmp_path):
    path = card_file(tmp_path)
    done = agent("--card", str(path), "--pin", "0000", "--once", lang="en_US.UTF-8")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Wrong PIN (2 tries left)" in done.stderr
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved == {**CARD, "pin_tries": 2}


def test_collation_b_read_and_its_tries(tmp_path):
    path = card_file(tmp_path, collation_b_tries=7)
    done = agent("--card", str(path), "--collation-b", "30123120341234", "--once")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["birth_date"] == "1955-12-31"
    assert json.loads(path.read_text(encoding="utf-8"))["collation_b_tries"] == 10
    done = agent("--card", str(path), "--collation-b", "30123120349999", "--once")
    assert done.returncode == 1 and "照合番号Bが違います（残り9回）" in done.stderr
    assert json.loads(path.read_text(encoding="utf-8"))["collation_b_tries"] == 9


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("changes", "args", "code", "message"),
    [
        ({"pin_tries": 1}, ("--pin", "4321"), 1, "残りが1回のため照合しません"),
        ({"pin_tries": 0}, ("--pin", "4321"), 1, "ロックされています"),
        ({"collation_b_tries": 1}, ("--collation-b", "30123120341234"), 1, "残りが1回"),
        ({"collation_b": None}, ("--collation-b", "30123120341234"), 1, "対応していません"),
        ({}, ("--pin", "43210"), 2, "4桁の数字"),
        ({}, ("--collation-b", "3012"), 2, "14桁の数字"),
        ({}, (), 2, "どちらか一つ"),
        ({"pin_tries": 9}, ("--pin", "4321"), 2, "pin_tries"),
        ({}, ("--pin", "4321", "--legal-basis", " "), 0, ""),
    ],
)
def test_refusals_leave_the_file_as_it_was(tmp_path, changes, args, code, message):
    path = card_file(tmp_path, **changes)
    before = path.read_text(encoding="utf-8")
    status, out, err = run("--card", str(path), "--once", "--lang", "ja", *args)
    assert status == code, err
    assert message in err
    if code:
        assert out == ""
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(before)
    else:
        assert "my_number" not in out


def test_missing_card_file_is_a_clear_error(tmp_path):
    status, out, err = run("--card", str(tmp_path / "none.json"), "--pin", "1234", "--once")
    assert status == 2 and out == "" and "カードファイル" in err


def test_legal_basis_adds_the_individual_number(tmp_path):
    path = card_file(tmp_path, my_number="123456789018")
    status, out, _ = run("--card", str(path), "--pin", "4321", "--once")
    assert status == 0 and "my_number" not in json.loads(out)
    status, out, _ = run(
        "--card", str(path), "--pin", "4321", "--once", "--legal-basis", "番号法 別表第一"
    )
    assert status == 0 and json.loads(out)["my_number"] == "123456789018"


def test_the_agent_imports_without_django():
    code = (
        "import sys, madoguchi.counter.card.agent, madoguchi.counter.card.pcsc\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603 — our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
