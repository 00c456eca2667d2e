"""The staffing page and the targets form in a real browser at phone size (390×844), Japanese and
English, with and without JavaScript: axe-core clean; the GET form and the POST form work."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory
from madoguchi.insights.models import InsightsTarget

from .factories import measured_weekday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "ja": {
        "staffing": "人員配置の目安",
        "roster": "推奨の勤務表",
        "saved": "目標値を保存しました",
        "bad": "1 から 240 までの整数で入力してください。",
    },
    "en": {
        "staffing": "Staffing guide",
        "roster": "Recommended roster",
        "saved": "Targets saved",
        "bad": "Enter a whole number from 1 to 240.",
    },
}


def _sign_in(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_staffing_page_and_targets_form(
    phone: Any, axe: Any, language: str, javascript: bool
) -> None:
    town = measured_weekday(weekday=2, per_half_hour=6)
    manager = StaffUserFactory(municipality=town["municipality"], manager=True)
    text = TEXT[language]
    page = phone(language, javascript)
    _sign_in(page, manager.username)

    page.goto(f"{page.base_url}/staff/insights/staffing/")
    expect(page.get_by_role("heading", name=text["staffing"], exact=True)).to_be_visible()
    # The GET form: Wednesday, the last 4 weeks.
    page.locator("select[name=weekday]").select_option("2")
    page.locator("select[name=weeks]").select_option("4")
    page.locator("form.in-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert "weekday=2" in page.url
    expect(page.get_by_role("heading", name=text["roster"], exact=True)).to_be_visible()
    assert page.locator("table caption").count() >= 4
    axe(page)

    page.goto(f"{page.base_url}/staff/insights/targets/")
    field = page.locator("input[name=wait_target_minutes]")
    field.fill("500")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_text(text["bad"])).to_be_visible()
    assert field.get_attribute("aria-invalid") == "true"
    axe(page)
    page.locator("input[name=wait_target_minutes]").fill("10")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_text(text["saved"])).to_be_visible()
    axe(page)
    assert InsightsTarget.objects.get(municipality=town["municipality"]).wait_target_minutes == 10
