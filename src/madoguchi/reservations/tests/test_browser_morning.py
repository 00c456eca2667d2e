"""A morning at the counter hall in a real browser: a booking, walk-ins, calls on two windows,
the display updating without reload, a no-show; axe-core on the resident, kiosk and display pages.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory
from madoguchi.reservations.models import CalendarException, ReservationPolicy, VisitEvent

from .factories import ServiceFactory, WindowFactory, hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_today_all_day(municipality: Any) -> None:
    # Whatever day the suite runs on (a Sunday, a holiday), the hall is open today.
    CalendarException.objects.update_or_create(
        municipality=municipality,
        date=timezone.localdate(),
        defaults={"closed": False, "opens": time(0, 0), "closes": time(23, 59)},
    )


def test_a_morning_at_the_counter_hall(page: Any, browser: Any, axe_check: Any) -> None:
    if timezone.localtime().time() >= time(23, 40):
        pytest.skip("no slot left today before midnight")
    municipality, certificates, windows = hall(windows=1)
    moving = ServiceFactory(municipality=municipality, series="B", name="転入・転出")
    second = WindowFactory(municipality=municipality, services=[certificates, moving], label="2")
    _open_today_all_day(municipality)
    key = ReservationPolicy.objects.get(municipality=municipality).kiosk_key
    clerk = StaffUserFactory(municipality=municipality, counter=True)
    base = f"{page.base_url}/{municipality.code}/reserve"

    # A resident books today's next free slot, without an account.
    page.goto(f"{base}/")
    axe_check(page)
    page.get_by_role("link", name=certificates.name).click()
    axe_check(page)
    page.locator("a.rs-date").first.click()  # dates first, then the day's times
    axe_check(page)
    page.locator("a.rs-slot").first.click()
    axe_check(page)
    page.get_by_label("お名前").fill("窓口 花子")
    page.get_by_label("電話番号").fill("090-1234-5678")
    page.get_by_role("button", name="この内容で予約する").click()
    page.wait_for_url(re.compile(r"/done/$"))
    axe_check(page)
    code = page.locator("#booking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    page.get_by_role("link", name="予約の確認・変更・取消し").click()
    axe_check(page)
    page.goto(f"{base}/find/")
    axe_check(page)
    page.goto(f"{base}/board/")
    axe_check(page)

    # The hall's display, open all morning.
    display = browser.new_page(viewport={"width": 1280, "height": 720})
    display.set_default_timeout(10_000)
    display.goto(f"{base}/display/")
    axe_check(display)
    assert "しばらくお待ちください" in display.locator("[data-calls]").inner_text()

    # Walk-ins take tickets at the kiosk; the booked resident checks in with the code.
    kiosk = browser.new_page(viewport={"width": 1024, "height": 768})
    kiosk.set_default_timeout(10_000)
    kiosk.goto(f"{base}/kiosk/{key}/")
    axe_check(kiosk)
    kiosk.locator("button.rs-kiosk__service").filter(has_text=certificates.name).click()
    assert kiosk.locator("#ticket-number").inner_text() == "A001"
    axe_check(kiosk)
    kiosk.get_by_role("link", name=re.compile("最初の画面に戻る")).click()
    kiosk.locator("button.rs-kiosk__service").filter(has_text=moving.name).click()
    assert kiosk.locator("#ticket-number").inner_text() == "B001"
    kiosk.goto(f"{base}/kiosk/{key}/")
    kiosk.locator("#id_code").fill(code.lower())  # as a scanner or a person types it
    kiosk.locator("#id_code").press("Enter")
    assert kiosk.locator("#ticket-number").inner_text() == "A002"

    # Two clerks at windows 1 and 2 call with the keyboard.
    staff = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    one = staff.new_page()
    one.set_default_timeout(10_000)
    one.goto(f"{page.base_url}/staff/login/")
    one.locator("input[name=username]").fill(clerk.username)
    one.locator("input[name=password]").fill(PASSWORD)
    one.locator("input[name=password]").press("Enter")
    one.wait_for_load_state()
    one.goto(f"{page.base_url}/staff/reservations/windows/{windows[0].pk}/")
    one.keyboard.press("n")
    first_called = one.locator("#current-number")
    first_called.wait_for()
    number_one = first_called.inner_text()
    # The display shows the call within a couple of seconds, without reload.
    display.locator("td.rs-display__number", has_text=number_one).wait_for(timeout=3_000)

    two = staff.new_page()
    two.set_default_timeout(10_000)
    two.goto(f"{page.base_url}/staff/reservations/windows/{second.pk}/")
    two.keyboard.press("n")
    two.locator("#current-number").wait_for()
    number_two = two.locator("#current-number").inner_text()
    assert number_two != number_one
    display.locator("td.rs-display__number", has_text=number_two).wait_for(timeout=3_000)
    latest = display.locator("tr.rs-display__latest td.rs-display__number")
    assert latest.inner_text() == number_two

    # Window 1's visitor does not come: no-show; they leave the display.
    one.keyboard.press("x")
    one.get_by_text("対応中の方はいません。").wait_for()
    display.locator("td.rs-display__number", has_text=number_one).wait_for(
        state="detached", timeout=3_000
    )
    # Window 2 serves and finishes.
    two.keyboard.press("s")
    two.get_by_text("対応中").first.wait_for()
    two.keyboard.press("f")
    two.get_by_text("対応中の方はいません。").wait_for()

    # Close the polling pages before the live server stops.
    staff.close()
    display.close()
    kiosk.close()
    kinds = set(VisitEvent.objects.values_list("kind", flat=True))
    assert {"issued", "checked_in", "called", "no_show", "started", "finished"} <= kinds
