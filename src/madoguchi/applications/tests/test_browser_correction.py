"""The 補正 loop in a real browser: staff ask, the resident corrects by the e-mailed link, staff
see both versions. axe-core on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import PASSWORD
from madoguchi.applications.models import Application
from madoguchi.applications.tests.factories import ApplicationFactory, back_office_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("madoguchi.applications.tests.urls"),
]


def test_staff_request_a_correction_and_the_resident_resubmits(page, axe_check, mailoutbox):
    application = ApplicationFactory(in_review=True, receipt_number="20250401-777777")
    clerk = back_office_user(application.procedure, username="clerk")

    page.goto(f"{page.base_url}/staff/login/?next=/staff/applications/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('ログイン')")
    page.wait_for_url(re.compile(r"/staff/applications/$"))
    axe_check(page)
    page.fill("#id_q", "やまだ")
    page.click("button:has-text('絞り込む')")
    page.click("text=20250401-777777")
    axe_check(page)

    deadline = (timezone.localdate() + timedelta(days=14)).isoformat()
    form = page.locator("#correction-form")
    form.get_by_label("メールアドレス").check()
    form.get_by_label("申請者へのお願い").fill(
        "メールアドレスが届かないようです。確かめてください。"
    )
    form.get_by_label("補正の期限").fill(deadline)
    form.locator("button[type='submit']").click()
    assert page.locator("#current-status").inner_text() == "補正依頼"
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/correction/\S+/", mailoutbox[0].body).group(0)
    resident_url = page.base_url + "/" + link.split("://", 1)[1].split("/", 1)[1]

    resident = page.context.browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}
    )
    try:
        rpage = resident.new_page()
        rpage.goto(resident_url)
        axe_check(rpage)
        assert rpage.locator("[name='name__family']").count() == 0  # only the named field
        rpage.fill("[name='email']", "wrong")
        rpage.click("button:has-text('補正して提出する')")
        expect(rpage.locator(".mg-error-summary")).to_be_visible()
        axe_check(rpage)
        rpage.fill("[name='email']", "hanako.new@example.jp")
        rpage.click("button:has-text('補正して提出する')")
        rpage.wait_for_selector("text=補正を受け付けました")
        axe_check(rpage)
    finally:
        resident.close()

    page.reload()
    assert page.locator("#current-status").inner_text() == "審査中"
    diff = page.locator(".mg-diff")
    assert "hanako@example.jp" in diff.inner_text() and "hanako.new@example.jp" in diff.inner_text()
    axe_check(page)
    assert Application.objects.get(pk=application.pk).answers["email"] == "hanako.new@example.jp"
    assert clerk.username == "clerk"
