"""Adopt a prefecture's procedure and take its update in a real browser (axe-core clean)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.catalogue.models import ProcedureAdoption
from madoguchi.catalogue.sharing import services
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory

from .factories import shared_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


def _sign_in(page, user) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": page.base_url}]
    )


def test_adopt_override_and_take_an_update(page, axe_check):
    page.set_viewport_size({"width": 1280, "height": 900})  # the office PC of the staff pages
    shizuoka = PrefectureFactory()
    town = MunicipalityFactory(prefecture=shizuoka, name="浜松市")
    admin = StaffUserFactory(municipality=town, admin=True)
    v1 = services.shared_procedure_publish(prefecture=shizuoka, data=shared_data(), note="初版")
    services.national_library_publish()

    _sign_in(page, admin)
    page.goto(page.base_url + "/staff/catalogue/shared/")
    expect(page.get_by_role("heading", name="共通手続", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="「県の住宅耐震補助の申請」を採用する").click()
    expect(page.get_by_role("status")).to_contain_text("採用しました")
    page.get_by_label("手数料").fill("1件200円")
    page.get_by_label("問い合わせ先").fill("建築行政課 053-000-0000（平日 8:30〜17:15）")
    page.get_by_role("button", name="設定を保存する").click()
    expect(page.get_by_role("status")).to_contain_text("自治体の設定を保存しました")
    axe_check(page)

    # The prefecture publishes version 2 (a new field, a new department).
    form = copy.deepcopy(v1.data["form"])
    form["steps"][0]["fields"].append(
        {"key": "phone", "type": "phone", "label": "電話番号", "role": "applicant_phone"}
    )
    services.shared_procedure_publish(
        prefecture=shizuoka,
        data=shared_data(form=form, department="くらし・環境部 建築住宅課", fees="無料（県）"),
        note="電話番号の項目を追加しました",
    )
    page.goto(page.base_url + "/staff/catalogue/shared/")
    pending = page.get_by_role("region", name="更新があります")
    link = pending.get_by_role("link", name="県の住宅耐震補助の申請（採用中：第1版 → 最新：第2版）")
    expect(link).to_be_visible()
    page.screenshot(path=str(SHOTS / "catalogue-list.png"))
    link.click()
    table = page.get_by_role("table", name="採用中の版から最新版への変更")
    expect(table.get_by_role("row", name="追加 申請者 › 電話番号")).to_be_visible()
    expect(table.get_by_role("rowheader", name="手数料")).to_contain_text("この自治体の設定が優先")
    axe_check(page)
    page.screenshot(path=str(SHOTS / "catalogue-update.png"), full_page=True)
    page.get_by_role("button", name="第2版を取り込む").click()
    expect(page.get_by_role("status")).to_contain_text("第2版に更新しました")
    expect(page.get_by_text("最新の版を採用しています。")).to_be_visible()
    axe_check(page)

    adoption = ProcedureAdoption.objects.get(municipality=town)
    procedure = Procedure.objects.get(pk=adoption.procedure_id)
    assert adoption.version.number == 2
    assert procedure.fees == "1件200円" and procedure.department == "くらし・環境部 建築住宅課"
    keys = [f["key"] for s in procedure.current_version.definition["steps"] for f in s["fields"]]
    assert "phone" in keys

    # The prefecture's page: one adopter, on the latest version.
    dx = StaffUserFactory(municipality=None, prefecture=shizuoka, role=Role.PREFECTURE_DX)
    _sign_in(page, dx)
    page.goto(page.base_url + "/staff/catalogue/shared/prefecture/")
    row = page.get_by_role("row", name="県の住宅耐震補助の申請")
    expect(row).to_contain_text("第2版")
    axe_check(page)
    page.screenshot(path=str(SHOTS / "catalogue-prefecture.png"), full_page=True)
