"""A production install takes requirements.lock only: exactly the runtime dependency closure.

Development tools (pytest, Playwright, ruff, mypy …) live in requirements-dev.lock, so a server does
not carry them; and nothing the running code needs may be pinned only there.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from madoguchi.cli import PROJECT_DIR

DEV_TOOLS = {"pytest", "playwright", "ruff", "mypy", "hypothesis", "schemathesis", "django-stubs"}


def _pins(name: str) -> set[str]:
    text = (PROJECT_DIR / name).read_text(encoding="utf-8")
    return {
        canonicalize_name(m.group(1))
        for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==", text, flags=re.MULTILINE)
    }


def _runtime_closure() -> set[str]:
    """Every distribution the installed madoguchi needs without extras, with their extras."""
    seen: dict[str, set[str]] = {}
    stack: list[tuple[str, set[str]]] = [("madoguchi", set())]
    while stack:
        name, extras = stack.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key]:
            continue
        seen[key] = seen.get(key, set()) | extras
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:  # an optional platform dependency not installed here
            continue
        for line in requires:
            requirement = Requirement(line)
            marker = requirement.marker
            wanted = marker is None or any(
                marker.evaluate({"extra": extra}) for extra in (extras or {""})
            )
            if wanted:
                stack.append((requirement.name, set(requirement.extras)))
    return set(seen) - {"madoguchi"}


def test_runtime_lock_is_exactly_the_runtime_closure() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    closure = _runtime_closure()
    assert not closure - runtime, (
        f"needed at run time but not in requirements.lock: {closure - runtime}"
    )
    assert not runtime - closure, (
        f"in requirements.lock but not needed at run time: {runtime - closure}"
    )
    assert not runtime & dev, f"pinned twice: {runtime & dev}"


def test_development_tools_stay_out_of_a_production_install() -> None:
    runtime = _pins("requirements.lock")
    assert not runtime & DEV_TOOLS
    assert _pins("requirements-dev.lock") >= DEV_TOOLS
    assert Path(PROJECT_DIR / "requirements-data.lock").is_file()
