"""The dashboards in a real browser, on the demo history: axe-core clean at phone and desktop
size, readable without JavaScript, screenshots for review (/tmp/shots/insights/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from madoguchi import demo_history
from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory
from madoguchi.demo import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/insights")


def _sign_in(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_dashboards_are_accessible(page: Any, browser: Any, axe_check: Any) -> None:
    municipality = demo_load()
    call_command("reservations_demo", municipality.code, verbosity=0)
    demo_history.generate(municipality, days=120, scale=0.3)
    manager = StaffUserFactory(municipality=municipality, manager=True)
    viewer = StaffUserFactory(
        municipality=None, prefecture=municipality.prefecture, role=Role.PREFECTURE_VIEWER
    )
    SHOTS.mkdir(parents=True, exist_ok=True)

    _sign_in(page, manager.username)
    page.goto(f"{page.base_url}/staff/insights/")
    expect(page.get_by_role("heading", name="窓口と申請の分析")).to_be_visible()
    # Every chart is an image with a name, followed by its data table and CSV link.
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 10
    expect(
        page.get_by_role(
            "link", name="CSV をダウンロード（業務ごとの待ち時間と対応時間（予約・予約なし））"
        )
    ).to_be_visible()
    axe_check(page)
    page.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=False)
    page.locator("#waits").scroll_into_view_if_needed()
    page.locator("#waits summary").click()
    page.screenshot(path=str(SHOTS / "dashboard-phone-waits.png"), full_page=False)
    axe_check(page)

    desktop = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
    wide = desktop.new_page()
    wide.base_url = page.base_url
    _sign_in(wide, manager.username)
    wide.goto(f"{page.base_url}/staff/insights/?first=2000-01-01&last=1999-01-01")
    expect(wide.get_by_role("alert")).to_be_visible()  # an impossible period is explained
    wide.goto(f"{page.base_url}/staff/insights/")
    axe_check(wide)
    wide.screenshot(path=str(SHOTS / "dashboard-desktop.png"), full_page=True)
    desktop.close()

    region = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    pref = region.new_page()
    pref.base_url = page.base_url
    _sign_in(pref, viewer.username)
    pref.goto(f"{page.base_url}/staff/insights/region/")
    expect(pref.get_by_role("heading", name="管内の比較", exact=True)).to_be_visible()
    assert municipality.name in pref.locator("table").inner_text()
    axe_check(pref)
    pref.screenshot(path=str(SHOTS / "region-phone.png"), full_page=True)
    region.close()
