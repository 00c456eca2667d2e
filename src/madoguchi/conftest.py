"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str | None:
    for path in (os.environ.get("CHROMIUM_PATH", ""), *CHROMIUM_CANDIDATES):
        if path and os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    browser = _chromium() or "none — browser tests will be skipped"
    return f"madoguchi: database={engine} browser={browser}"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Each test starts with an empty cache (rate-limit counters) and the default language."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    # A request in English leaves English active in this thread: start each test in Japanese.
    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count in fixed windows: a test's requests must not straddle a window's end (a
    limit test once passed four requests because a minute turned between them on a slow
    machine). So the limits' clock stands still in tests; a test meaning another window passes
    `now=`."""
    from madoguchi.core import ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright; skipped (with the reason) where there is none."""
    executable = _chromium()
    if executable is None:
        pytest.skip("browser tests skipped: no chromium found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told the access is deliberate (the test thread is not async code).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def axe_check() -> Any:
    """Run axe-core (shipped inside axe-playwright-python, no network) and fail on violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any) -> None:
        results = axe.run(page)
        violations = results.response["violations"]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in violations
        ]
        assert not violations, f"axe-core violations on {page.url}:\n" + "\n".join(summary)

    return check


PHONE = {"width": 390, "height": 844}
# Pages opened with JavaScript off (by id): axe-core checks their HTML in a scripted page.
_WITHOUT_JAVASCRIPT: set[int] = set()


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """Open a page at phone size in a fresh browser context: `phone(language, javascript)`.

    The page's `base_url` is the live server's; the context is closed at the end of the test
    (closing it earlier is fine too)."""
    contexts: list[Any] = []

    def open_page(language: str = "ja", javascript: bool = True) -> Any:
        context = browser.new_context(
            locale="ja-JP" if language == "ja" else "en-US",
            viewport=PHONE,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        if not javascript:
            _WITHOUT_JAVASCRIPT.add(id(page))
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            _WITHOUT_JAVASCRIPT.discard(id(page))
        context.close()


@pytest.fixture
def axe(phone: Any, live_server: Any, axe_check: Any) -> Any:
    """axe-core for a page with or without JavaScript. axe-core is a script: a page served to a
    browser without JavaScript is checked as that browser got it (its HTML, scripts left out)
    in a second, scripted page at the same address, so the styles apply as they did."""
    checker: dict[str, Any] = {}

    def check(page: Any) -> None:
        if id(page) not in _WITHOUT_JAVASCRIPT:
            axe_check(page)
            return
        if "page" not in checker:
            checker["page"] = phone("ja", True)
        scripted = checker["page"]
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
        scripted.goto(f"{live_server.url}/static/madoguchi/site.css")  # the same origin
        scripted.set_content(html)
        axe_check(scripted)

    return check
