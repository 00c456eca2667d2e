"""Issue 11 (4, 5) without JavaScript (Django's test client): "保存して中断する" keeps whatever was
typed, says until when the link works, and the mailed link is the one on the screen; a file that
passed its checks is kept when another answer of the step fails, for every file-capable type of
the field-type registry, at the top of a step and inside a repeating group."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import formats, timezone, translation

from madoguchi.applications.models import Application, Attachment, Draft
from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.procedures.formdef.fields import registered

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

# The attributes a minimal field of a type needs beyond key, type and label.
FIELD_EXTRAS: dict[str, dict[str, Any]] = {
    "choice": {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    "multi_choice": {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    "group": {"fields": [{"key": "what", "type": "text", "label": "内容", "required": True}]},
}
VALUE_TYPES = sorted(name for name, kind in registered().items() if kind.holds_value)
UPLOAD_TYPES = sorted(name for name, kind in registered().items() if kind.uploads)

APPLICANT = {
    "name__family": "山田",
    "name__given": "太郎",
    "name__family_kana": "ヤマダ",
    "name__given_kana": "タロウ",
    "birth_date": "令和元年5月1日",
    "email": "taro@example.jp",
}


def _begin(client: Client, version: Any) -> str:
    code, slug = version.procedure.municipality.code, version.procedure.slug
    response = client.post(f"/{code}/procedures/{slug}/apply/")
    assert response.status_code == 302
    return f"/{code}/apply/{slug}"


def _pdf(name: str = "住民票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _link(page: str) -> str:
    match = re.search(r'id="resume-link" href="http://testserver([^"]+)"', page)
    assert match, page
    return match.group(1)


def _expiry(draft: Draft, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(draft.expires_at), "DATETIME_FORMAT")


# --- 4. Save and resume -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_save_with_errors_keeps_what_was_typed_and_resume_shows_the_errors(
    client: Client, language: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.cookies["django_language"] = language
    version = FormVersionFactory()
    base = _begin(client, version)
    typed = {**APPLICANT, "name__given": "", "birth_date": "平成31年5月1日", "_action": "save"}
    response = client.post(f"{base}/applicant/", typed)
    assert response.status_code == 302 and response["Location"] == f"{base}/saved/"
    draft = Draft.objects.get()
    assert draft.answers["birth_date"] == "平成31年5月1日"  # raw, validated later
    assert draft.answers["name"]["family"] == "山田"
    assert draft.completed_steps == []

    page = client.get(f"{base}/saved/").content.decode()
    # The exact expiry in the reader's format, and a word about what is still to fix.
    assert _expiry(draft, language) in page
    assert 'id="saved-unfinished"' in page
    link = _link(page)
    token = link.rstrip("/").rsplit("/", 1)[-1]

    other = Client()
    other.cookies["django_language"] = language
    response = other.get(link)
    assert response.status_code == 302 and response["Location"] == f"{base}/applicant/"
    resumed = other.get(f"{base}/applicant/").content.decode()
    assert 'id="mg-error-summary"' in resumed
    assert 'value="平成31年5月1日"' in resumed and 'value="山田"' in resumed
    assert resumed.count('aria-invalid="true"') >= 2  # the given name and the birth date
    # Fixed on the other browser: the step is done and the journey goes on.
    response = other.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
    assert response.status_code == 302 and response["Location"] == f"{base}/documents/"
    # Secrets stay out of the logs.
    assert token not in caplog.text


def test_the_mailed_link_is_the_one_on_screen_and_saving_again_keeps_it(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    version = FormVersionFactory()
    base = _begin(client, version)
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "save"})
    page = client.get(f"{base}/saved/").content.decode()
    link = _link(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/saved/", {"email": "taro@example.jp"})
    assert response.status_code == 302
    after = client.get(f"{base}/saved/").content.decode()
    assert "どちらも使えます" in after and _link(after) == link
    assert link in mailoutbox[0].body
    assert _expiry(Draft.objects.get(), "ja") in mailoutbox[0].body

    # Saving again, here or in a browser that came by the link, shows the same link.
    client.post(f"{base}/documents/", {"_action": "save"})
    assert _link(client.get(f"{base}/saved/").content.decode()) == link
    other = Client()
    other.get(link)
    other.post(f"{base}/documents/", {"_action": "save"})
    assert _link(other.get(f"{base}/saved/").content.decode()) == link
    assert Client().get(link).status_code == 302


def test_a_browser_that_knows_no_link_gets_a_new_one_and_is_told_the_old_one_stopped(
    client: Client,
) -> None:
    version = FormVersionFactory()
    base = _begin(client, version)
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "save"})
    first = _link(client.get(f"{base}/saved/").content.decode())
    session = client.session
    for key in [k for k in list(session.keys()) if k.startswith("resume:")]:
        del session[key]
    session.save()
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "save"})
    page = client.get(f"{base}/saved/").content.decode()
    assert "以前にお知らせしたリンクは使えなくなりました" in page
    assert _link(page) != first
    assert Client().get(first).status_code == 404


@pytest.mark.parametrize("type_name", VALUE_TYPES)
def test_every_field_type_can_be_saved_unanswered_and_is_checked_on_resume(
    client: Client, type_name: str
) -> None:
    """A required field of each registered type left as it is, another answer typed: saving
    keeps the typed answer, and the resumed step names what is missing."""
    definition = {
        "title": "保存のテスト",
        "steps": [
            {
                "key": "only",
                "title": "入力",
                "fields": [
                    {"key": "memo", "type": "text", "label": "メモ"},
                    {
                        "key": "subject",
                        "type": type_name,
                        "label": "対象の項目",
                        "required": True,
                        **FIELD_EXTRAS.get(type_name, {}),
                    },
                ],
            }
        ],
    }
    version = FormVersionFactory(definition=definition)
    base = _begin(client, version)
    response = client.post(f"{base}/only/", {"memo": "途中のメモ", "_action": "save"})
    assert response.status_code == 302, response.content.decode()
    draft = Draft.objects.get()
    assert draft.answers["memo"] == "途中のメモ" and draft.completed_steps == []

    other = Client()
    assert other.get(_link(client.get(f"{base}/saved/").content.decode())).status_code == 302
    page = other.get(f"{base}/only/").content.decode()
    assert 'value="途中のメモ"' in page
    assert 'id="mg-error-summary"' in page and "対象の項目" in page
    # The check page refuses the submission until it is answered.
    assert other.post(f"{base}/check/").status_code == 200
    assert not Application.objects.exists()


@pytest.mark.parametrize("type_name", VALUE_TYPES)
def test_every_field_type_saved_with_anything_typed_is_shown_again_and_checked(
    client: Client, type_name: str
) -> None:
    """Whatever lands in a step's inputs (here the same odd text in every input a field of the
    type may have) is saved as it is; the step, the check page and a resume show it without
    failing, and the application cannot be submitted unless it is valid."""
    definition = {
        "title": "保存のテスト",
        "steps": [
            {
                "key": "only",
                "title": "入力",
                "fields": [
                    {
                        "key": "subject",
                        "type": type_name,
                        "label": "対象の項目",
                        "required": True,
                        **FIELD_EXTRAS.get(type_name, {}),
                    }
                ],
            }
        ],
    }
    version = FormVersionFactory(definition=definition)
    base = _begin(client, version)
    odd = "ｚｚ<b>"  # (a NUL is refused before any view, by core middleware)
    parts = ("family", "given", "family_kana", "given_kana", "prefecture", "city", "street")
    posted = {"subject": odd, **{f"subject__{p}": odd for p in parts}}
    posted.update({"subject__count": "1", "subject__0__origin": "", "subject__0__what": odd})
    response = client.post(f"{base}/only/", {**posted, "_action": "save"})
    assert response.status_code == 302
    assert "subject" in Draft.objects.get().answers
    resumed = client.get(f"{base}/only/")
    assert resumed.status_code == 200 and "<b>" not in resumed.content.decode()
    check = client.get(f"{base}/check/")
    assert check.status_code == 200 and "<b>" not in check.content.decode()
    submitted = client.post(f"{base}/check/")
    assert submitted.status_code in (200, 302)
    assert Application.objects.exists() == (submitted.status_code == 302)


# --- 5. Uploads kept ----------------------------------------------------------------------------


def _upload_definition(type_name: str, *, in_group: bool) -> dict[str, Any]:
    scan = {"key": "scan", "type": type_name, "label": "書類の画像", "required": True}
    title = {"key": "title", "type": "text", "label": "書類の名前", "required": True}
    if in_group:
        fields = [
            {
                "key": "docs",
                "type": "group",
                "label": "書類",
                "item_label": "書類",
                "required": True,
                "max_items": 3,
                "fields": [title, scan],
            }
        ]
    else:
        fields = [title, scan]
    return {"title": "添付のテスト", "steps": [{"key": "docs", "title": "書類", "fields": fields}]}


def _names(in_group: bool) -> tuple[str, str, dict[str, str]]:
    if in_group:
        return "docs__0__title", "docs__0__scan", {"docs__count": "1", "docs__0__origin": ""}
    return "title", "scan", {}


@pytest.mark.parametrize("in_group", [False, True], ids=["step", "group"])
@pytest.mark.parametrize("type_name", UPLOAD_TYPES)
def test_an_accepted_upload_is_kept_when_another_answer_fails(
    client: Client, type_name: str, in_group: bool
) -> None:
    version = FormVersionFactory(definition=_upload_definition(type_name, in_group=in_group))
    base = _begin(client, version)
    title, scan, group = _names(in_group)

    response = client.post(f"{base}/docs/", {**group, title: "", scan: _pdf(), "_action": "next"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "書類の名前を入力してください" in page
    # Shown as attached, with its size, a way to replace it and a way to remove it.
    assert f"添付済み：住民票.pdf（{len(PDF)}" in page
    assert f'name="{scan}__clear"' in page
    attachment = Attachment.objects.get()
    assert attachment.draft == Draft.objects.get() and attachment.original_name == "住民票.pdf"
    origins = dict(re.findall(r'name="(docs__\d+__origin)" value="(\d*)"', page))
    if in_group:
        assert origins == {"docs__0__origin": "0"}

    # Sent again with the name typed and no file chosen: the kept file is the answer.
    response = client.post(
        f"{base}/docs/", {**group, **origins, title: "住民票", "_action": "next"}
    )
    assert response.status_code == 302, response.content.decode()
    assert client.post(f"{base}/check/").status_code == 302
    application = Application.objects.get()
    assert [a.pk for a in application.attachments.all()] == [attachment.pk]


@pytest.mark.parametrize("in_group", [False, True], ids=["step", "group"])
@pytest.mark.parametrize("type_name", UPLOAD_TYPES)
def test_a_kept_upload_can_be_removed_or_replaced(
    client: Client, type_name: str, in_group: bool
) -> None:
    version = FormVersionFactory(definition=_upload_definition(type_name, in_group=in_group))
    base = _begin(client, version)
    title, scan, group = _names(in_group)
    client.post(f"{base}/docs/", {**group, title: "", scan: _pdf(), "_action": "next"})
    kept = {"docs__0__origin": "0"} if in_group else {}

    removed = client.post(
        f"{base}/docs/",
        {**group, **kept, title: "住民票", f"{scan}__clear": "1", "_action": "next"},
    )
    assert removed.status_code == 200
    assert "書類の画像のファイルを添付してください" in removed.content.decode()
    assert "添付済み" not in removed.content.decode()

    replaced = client.post(
        f"{base}/docs/",
        {**group, **kept, title: "住民票", scan: _pdf("写し.pdf"), "_action": "next"},
    )
    assert replaced.status_code == 302
    client.post(f"{base}/check/")
    names = [a.original_name for a in Application.objects.get().attachments.all()]
    assert names == ["写し.pdf"]


def test_an_upload_is_kept_across_the_buttons_that_change_the_form(client: Client) -> None:
    """Adding an item (a button without JavaScript) keeps the file chosen in the first one."""
    version = FormVersionFactory(definition=_upload_definition("file", in_group=True))
    base = _begin(client, version)
    response = client.post(
        f"{base}/docs/",
        {
            "docs__count": "1",
            "docs__0__origin": "",
            "docs__0__title": "住民票",
            "docs__0__scan": _pdf(),
            "_action": "add:docs",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "添付済み：住民票.pdf" in page
    assert 'name="docs__count" value="2"' in page
    assert Attachment.objects.count() == 1


def test_a_refused_file_says_why_and_keeps_the_file_attached_before(client: Client) -> None:
    version = FormVersionFactory(definition=_upload_definition("file", in_group=False))
    base = _begin(client, version)
    client.post(f"{base}/docs/", {"title": "", "scan": _pdf(), "_action": "next"})
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = client.post(f"{base}/docs/", {"title": "", "scan": fake, "_action": "next"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "添付済み：住民票.pdf" in page and 'aria-invalid="true"' in page
    assert Attachment.objects.count() == 1
