"""Browser tests wait for what they check: no instant probes or sleeps that race the page.

`locator.is_visible()` right after a click reads the page before it has changed (the flaky test of
the Journeys issue); `expect(locator).to_be_visible()` waits for it. Sleeps hide the same race.
"""

from __future__ import annotations

import ast
from pathlib import Path

import madoguchi

SRC = Path(madoguchi.__file__).parent
INSTANT_PROBES = {
    "is_visible",
    "is_hidden",
    "is_enabled",
    "is_disabled",
    "is_checked",
    "is_editable",
}
SLEEPS = {"wait_for_timeout"}


def _browser_test_files() -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob("test_*.py")
        if "mark.browser" in p.read_text(encoding="utf-8") and p.name != "test_test_hygiene.py"
    )


def test_browser_tests_are_found() -> None:
    assert len(_browser_test_files()) >= 5


def test_no_browser_test_probes_the_page_without_waiting() -> None:
    offences = []
    for path in _browser_test_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in INSTANT_PROBES | SLEEPS
            ):
                offences.append(f"{path.relative_to(SRC)}:{node.lineno} {node.func.attr}()")
    assert not offences, "use expect(locator).to_be_…() instead:\n" + "\n".join(offences)
