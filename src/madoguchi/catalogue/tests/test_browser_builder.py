"""An administrator builds a new procedure in the form builder (a repeating group, a condition
and an attachment), previews it, asks for review; a second editor approves and publishes it; a
resident applies on a phone; the back office receives it. axe-core on every editor page.

Screenshots of the editor pages go to docs/screenshots/builder-*.png (linked from the README).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory
from madoguchi.applications.models import Application
from madoguchi.applications.tests.factories import back_office_user, pdf_bytes
from madoguchi.catalogue.models import DraftStatus, FormDraft
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.tests.factories import MunicipalityFactory

from .factories import editor_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("madoguchi.applications.tests.urls"),
]

SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"builder-{name}.png"), full_page=True)


def _sign_in(context, base_url: str, username: str, next_url: str):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/staff/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('ログイン')")
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))
    return page


def _node(page, path: str):
    return page.locator(f'[id="node-{path}"]')


def _add_field(page, parent: str, summary: str, type_value: str, key: str, label: str) -> None:
    box = _node(page, parent).locator("details", has_text=summary).last
    box.locator("summary").click()
    box.locator("select[name='type']").select_option(type_value)
    box.locator("input[name='key']").fill(key)
    box.locator("input[name='label']").fill(label)
    box.locator("button:has-text('項目を追加')").click()
    expect(page.locator("text=様式定義に誤りはありません")).to_be_visible()


def _edit(page, path: str) -> None:
    _node(page, path).locator(".mg-builder__tools a", has_text="編集").first.click()
    expect(page.locator("h1")).to_contain_text("を編集")


def test_an_admin_builds_publishes_and_a_resident_applies(
    browser, live_server, axe_check, tmp_path
):
    town = MunicipalityFactory()
    StaffUserFactory(username="admin1", municipality=town, admin=True)
    editor_user(town, username="editor2")
    base = live_server.url

    # --- The administrator builds the procedure -----------------------------------------------
    staff = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    page = _sign_in(staff, base, "admin1", "/staff/")
    page.click("text=様式を作る・直す")
    expect(page.locator("h1")).to_have_text("手続の様式")
    axe_check(page)
    page.click("text=新しい手続を作る")
    axe_check(page)
    page.fill("#id_name", "児童手当の認定請求（試行）")
    page.fill("#id_name_en", "Child allowance claim (pilot)")
    page.fill("#id_slug", "child-allowance-pilot")
    page.select_option("#id_category", "childcare")
    page.fill("#id_department", "子育て支援課")
    page.click("button:has-text('作って様式の編集へ進む')")
    expect(page.locator("h1")).to_have_text("「児童手当の認定請求（試行）」の様式")
    axe_check(page)

    # A checkbox on page 1 that the repeating group's condition looks at.
    _add_field(
        page,
        "steps[0]",
        "このページに項目を追加",
        "checkbox",
        "has_children",
        "お子さんの分も申請する",
    )
    # Page 2: the repeating group (shown only when the box is ticked).
    page.locator("details", has_text="ページを追加").last.locator("summary").click()
    page.fill("#id_step-key", "children")
    page.fill("#id_step-title", "お子さん")
    page.click("button:has-text('ページを追加')")
    _add_field(page, "steps[1]", "このページに項目を追加", "group", "children", "お子さん")
    _edit(page, "steps[1].fields[0]")
    axe_check(page)
    page.select_option("#id_when__field", "has_children")
    page.select_option("#id_when__op", "equals")
    page.fill("#id_when__value", "true")
    page.fill("#id_min_items", "1")
    page.fill("#id_max_items", "3")
    page.fill("#id_item_label", "{n}人目のお子さん")
    page.fill("#id_add_label", "お子さんを追加する")
    page.fill("#id_label_en", "Children")
    page.click("button:has-text('保存する')")
    expect(page.locator("text=保存しました。")).to_be_visible()
    # The group's first sub-field: the child's name, required.
    _edit(page, "steps[1].fields[0].fields[0]")
    page.fill("#id_key", "child_name")
    page.fill("#id_label", "お子さんの名前")
    page.fill("#id_label_en", "Child's name")
    page.check("#id_required")
    page.click("button:has-text('保存する')")
    expect(page.locator("text=保存しました。")).to_be_visible()
    # A date inside the group: the check asks for an example, beside the field.
    _add_field(
        page, "steps[1].fields[0]", "くり返しの中に項目を追加", "date", "child_birth", "生年月日"
    )
    expect(_node(page, "steps[1].fields[0].fields[1]")).to_contain_text("記入例がありません")
    # Page 3: the attachment.
    page.locator("details", has_text="ページを追加").last.locator("summary").click()
    page.fill("#id_step-key", "documents")
    page.fill("#id_step-title", "添付書類")
    page.click("button:has-text('ページを追加')")
    _add_field(
        page, "steps[2]", "このページに項目を追加", "file", "insurance_card", "健康保険証の写し"
    )
    _edit(page, "steps[2].fields[0]")
    page.check("#id_required")
    page.fill("#id_print_label", "添付：健康保険証")
    page.fill("#id_print_order", "90")
    page.click("button:has-text('保存する')")
    expect(page.locator("text=保存しました。")).to_be_visible()
    # Reorder by keyboard: the checkbox up above the name, and back down.
    checkbox = _node(page, "steps[0].fields[1]")
    checkbox.locator("button", has_text="上へ").click()
    expect(_node(page, "steps[0].fields[0]")).to_contain_text("has_children")
    _node(page, "steps[0].fields[0]").locator("button", has_text="下へ").click()
    expect(_node(page, "steps[0].fields[1]")).to_contain_text("has_children")

    # The live preview: the residents' own page in a phone-sized frame.
    frame = page.frame_locator("iframe.mg-builder__phone")
    expect(frame.locator("h1")).to_have_text("申請する人")
    expect(frame.locator("[name='applicant_name__family']")).to_have_value("見本")
    axe_check(page)
    _shot(page, "editor")
    _edit(page, "steps[1].fields[0]")
    # Beside a field, the preview opens at the field's own page.
    expect(page.frame_locator("iframe.mg-builder__phone").locator("h1")).to_have_text("お子さん")
    axe_check(page)
    _shot(page, "field")
    page.go_back()

    # The same preview at phone size, step by step with the sample answers.
    phone = staff.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    preview_url = f"{base}/staff/catalogue/forms/child-allowance-pilot/preview/"
    phone.goto(preview_url + "?sample=1")
    expect(phone.locator("[name='applicant_name__given']")).to_have_value("花子")
    phone.fill("[name='applicant_name__family_kana']", "ミホン")  # the card has no kana
    phone.fill("[name='applicant_name__given_kana']", "ハナコ")
    phone.check("[name='has_children']")
    axe_check(phone)
    phone.click("button[value='next']")
    expect(phone.locator("h1")).to_have_text("お子さん")
    expect(phone.locator("text=1人目のお子さん")).to_be_visible()
    axe_check(phone)
    _shot(phone, "preview")
    phone.close()

    # The diff against nothing published yet, then ask for review.
    page.click("text=公開中の版との違いを見る")
    expect(page.locator("h1")).to_have_text("版の違い")
    assert "項目「お子さんの名前」（child_name）を追加" in page.inner_text("main")
    axe_check(page)
    _shot(page, "diff")
    page.go_back()
    page.click("button:has-text('確認を依頼する')")
    expect(page.locator("text=確認を依頼しました")).to_be_visible()
    assert page.locator("button:has-text('承認して公開する')").count() == 0  # not one's own
    axe_check(page)
    staff.close()

    # --- A second person approves and publishes -------------------------------------------
    reviewer = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    page = _sign_in(reviewer, base, "editor2", "/staff/catalogue/forms/child-allowance-pilot/")
    expect(page.locator("text=確認待ち").first).to_be_visible()
    axe_check(page)
    _shot(page, "review")
    page.click("button:has-text('承認して公開する')")
    expect(page.locator("text=第1版として公開しました")).to_be_visible()
    axe_check(page)
    reviewer.close()
    draft = FormDraft.objects.get(procedure__slug="child-allowance-pilot")
    assert draft.status == DraftStatus.PUBLISHED
    assert draft.submitted_by.username == "admin1" and draft.approved_by.username == "editor2"
    procedure = Procedure.objects.get(slug="child-allowance-pilot")
    assert procedure.is_published

    # --- A resident applies on a phone ----------------------------------------------------
    resident = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    rpage = resident.new_page()
    rpage.set_default_timeout(10_000)
    rpage.goto(f"{base}/{town.code}/procedures/child-allowance-pilot/")
    rpage.click("button:has-text('オンラインで申請する')")
    rpage.fill("[name='applicant_name__family']", "山田")
    rpage.fill("[name='applicant_name__given']", "花子")
    rpage.fill("[name='applicant_name__family_kana']", "ヤマダ")
    rpage.fill("[name='applicant_name__given_kana']", "ハナコ")
    rpage.check("[name='has_children']")
    rpage.click("button[value='next']")
    expect(rpage.locator("h1")).to_have_text("お子さん")
    rpage.fill("[name='children__0__child_name']", "山田 太郎")
    rpage.fill("[name='children__0__child_birth']", "令和5年4月1日")
    rpage.click("button[value='next']")
    expect(rpage.locator("h1")).to_have_text("添付書類")
    pdf = tmp_path / "保険証.pdf"
    pdf.write_bytes(pdf_bytes())
    rpage.set_input_files("[name='insurance_card']", str(pdf))
    rpage.click("button[value='next']")
    expect(rpage.locator("h1")).to_have_text("入力内容の確認")
    assert "山田 太郎" in rpage.inner_text("main")
    rpage.click("button:has-text('申請する')")
    receipt = rpage.inner_text("#receipt-number").strip()
    resident.close()
    application = Application.objects.get(receipt_number=receipt)
    assert application.form_version == draft.published_version
    assert application.answers["children"][0]["child_name"] == "山田 太郎"
    assert application.attachments.count() == 1

    # --- The back office receives it --------------------------------------------------------
    back_office_user(procedure, username="clerk")
    office = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    page = _sign_in(office, base, "clerk", "/staff/applications/")
    expect(page.locator(f"text={receipt}")).to_be_visible()
    page.click(f"text={receipt}")
    expect(page.locator("main")).to_contain_text("山田 太郎")
    office.close()
