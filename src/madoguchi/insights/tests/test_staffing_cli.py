"""`madoguchi insights erlang`: the exact output line, bad input, no Django needed."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from madoguchi.cli import main

ARGS = ["--arrivals-per-hour", "200", "--service-minutes", "3", "--target-seconds", "20"]


def test_prints_the_worked_example_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["insights", "erlang", *ARGS, "--target-share", "0.8"]) == 0
    out = capsys.readouterr().out
    assert out == "agents=14 service_level=0.888 wait_probability=0.174 mean_wait_s=7.8\n"


def test_a_higher_target_needs_more_agents(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["insights", "erlang", *ARGS, "--target-share", "0.95"]) == 0
    line = capsys.readouterr().out.strip()
    match = re.fullmatch(
        r"agents=(\d+) service_level=(0\.\d{3}) wait_probability=(0\.\d{3}) mean_wait_s=(\d+\.\d)",
        line,
    )
    assert match, line
    assert int(match.group(1)) == 16  # 15 agents give 0.941
    assert float(match.group(2)) >= 0.95


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arrivals-per-hour", "-5"], "--arrivals-per-hour must be greater than 0"),
        (["--service-minutes", "0"], "--service-minutes must be greater than 0"),
        (["--target-seconds", "-1"], "--target-seconds must be 0 or more"),
        (["--target-share", "80"], "--target-share must be a share between 0 and 1"),
        (["--target-share", "1"], "--target-share must be a share between 0 and 1"),
        (["--service-minutes", "nan"], "--service-minutes must be a finite number"),
        (["--service-minutes", "three"], "invalid float value"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    values = dict(zip(ARGS[::2], ARGS[1::2], strict=True)) | {"--target-share": "0.8"}
    values |= dict(zip(args[::2], args[1::2], strict=True))
    argv = [item for pair in values.items() for item in pair]
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(["insights", "erlang", *argv]))
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_a_missing_argument_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["insights", "erlang", "--arrivals-per-hour", "200"])
    assert exit_info.value.code == 2
    assert "--service-minutes" in capsys.readouterr().err


def test_runs_without_settings_or_a_database(tmp_path: os.PathLike[str]) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL"}
    }
    code = (
        "import sys; from madoguchi.cli import main; code = main(sys.argv[1:]); "
        "assert 'django.conf' not in sys.modules or not __import__('django.conf').conf.settings.configured; "
        "sys.exit(code)"
    )
    completed = subprocess.run(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-c", code, "insights", "erlang", *ARGS, "--target-share", "0.8"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("agents=14 ")
