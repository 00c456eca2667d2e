"""A back-office user uploads a bundle in a real browser; the pages pass axe-core."""

from __future__ import annotations

import pytest

from madoguchi.accounts.tests.factories import StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_bundle_in_the_browser(page, axe_check, town, version, make_bundle, tmp_path):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(StaffUserFactory(username="intake", municipality=town))
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(make_bundle(2, serial=True).getvalue())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": page.base_url}]
    )
    page.goto(page.base_url + "/staff/intake/")
    axe_check(page)
    page.set_input_files("input[name=bundle]", str(bundle))
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_selector("#run-imported")
    assert page.inner_text("#run-imported") == "2"
    assert "該当なし" in page.content()
    axe_check(page)
    page.goto(page.base_url + "/staff/intake/quarantine/")
    axe_check(page)
