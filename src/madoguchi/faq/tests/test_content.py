"""FAQ content: sanitising, the searchable set (local + shared, overrides), index freshness."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from madoguchi.faq import index_cache, selectors, services
from madoguchi.faq.content import render_answer, sanitize_answer
from madoguchi.faq.masking import mask_personal_data, query_key
from madoguchi.faq.models import FaqEntry, FaqIndexState, Status
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.tests.factories import MunicipalityFactory

from .factories import FaqSetFactory, SharedFaqEntryFactory

pytestmark = pytest.mark.django_db


def _ids(municipality: object) -> set[str]:
    return {d.id for d in selectors.searchable_documents(municipality=municipality)}  # type: ignore[arg-type]


def test_answer_html_is_sanitised_on_save_and_display() -> None:
    dirty = '<p onclick="x()">住民票は<script>alert(1)</script><a href="javascript:alert(1)">こちら</a></p>'
    cleaned = sanitize_answer(dirty)
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    html = render_answer(
        "**必要なもの**\n\n- 本人確認書類\n\n<img src=x onerror=alert(1)>[リンク](https://example.jp)"
    )
    assert "<strong>必要なもの</strong>" in html
    assert "<li>本人確認書類</li>" in html
    assert "onerror" not in html and "<img" not in html
    assert 'href="https://example.jp"' in html
    assert sanitize_answer(cleaned) == cleaned  # idempotent


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("電話は090-1234-5678です", "1234"),
        ("電話は０９０１２３４５６７８です", "5678"),
        ("03(1234)5678に", "5678"),
        ("番号は1234 5678 9012", "9012"),
        ("マイナンバー123456789012", "9012"),
        ("taro.yamada+x@example.co.jp に返信", "yamada"),
    ],
)
def test_personal_data_is_masked(text: str, leak: str) -> None:
    masked = mask_personal_data(text)
    assert leak not in masked
    assert "［" in masked


def test_mask_keeps_ordinary_numbers_and_query_key_folds() -> None:
    assert mask_personal_data("4月1日に2人で") == "4月1日に2人で"
    assert query_key("住民票 は？") == query_key("住民票　は?")


def test_create_publish_and_archive_change_the_searchable_set() -> None:
    town = MunicipalityFactory()
    entry = services.faq_entry_create(
        municipality=town, question="粗大ごみの出し方", answer="予約制です。"
    )
    assert entry.status == Status.DRAFT
    assert _ids(town) == set()
    services.faq_entry_update(entry=entry, status=Status.PUBLISHED)
    assert _ids(town) == {f"e{entry.pk}"}
    services.faq_entry_update(entry=entry, status=Status.ARCHIVED)
    assert _ids(town) == set()
    assert FaqIndexState.objects.get(municipality=town).version == 3


def test_related_procedures_must_belong_to_the_municipality() -> None:
    town, other = MunicipalityFactory(), MunicipalityFactory()
    foreign = Procedure.objects.create(municipality=other, slug="x", name="他の町の手続")
    with pytest.raises(ValidationError):
        services.faq_entry_create(
            municipality=town, question="質問", answer="回答", related_procedures=[foreign]
        )


def test_shared_set_adoption_override_and_hide() -> None:
    town = MunicipalityFactory()
    faq_set = FaqSetFactory()
    a = SharedFaqEntryFactory(faq_set=faq_set, question="マイナンバーカードの申請方法")
    b = SharedFaqEntryFactory(faq_set=faq_set, question="パスポートの申請")
    assert _ids(town) == set()
    services.faq_set_adopt(municipality=town, faq_set=faq_set)
    assert _ids(town) == {f"s{a.pk}", f"s{b.pk}"}
    # An override is a draft copy: the shared entry stays until the copy is published.
    local = services.shared_entry_override(municipality=town, shared=a)
    assert local.question == a.question and local.overrides == a
    assert _ids(town) == {f"s{a.pk}", f"s{b.pk}"}
    services.faq_entry_update(entry=local, status=Status.PUBLISHED, answer="本市では予約制です。")
    assert _ids(town) == {f"e{local.pk}", f"s{b.pk}"}
    services.shared_entry_hide(municipality=town, shared=b)
    assert _ids(town) == {f"e{local.pk}"}
    services.faq_set_withdraw(municipality=town, faq_set=faq_set)
    assert _ids(town) == {f"e{local.pk}"}


def test_prefecture_set_is_offered_only_in_its_prefecture() -> None:
    town = MunicipalityFactory()
    from madoguchi.tenancy.tests.factories import prefecture_for

    other_pref = prefecture_for("130001")  # 東京都
    faq_set = FaqSetFactory(prefecture=other_pref)
    with pytest.raises(ValidationError):
        services.faq_set_adopt(municipality=town, faq_set=faq_set)
    own = FaqSetFactory(prefecture=town.prefecture)
    services.faq_set_adopt(municipality=town, faq_set=own)


def test_cached_index_follows_edits_incrementally(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    town = MunicipalityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.faq_entry_create(
            municipality=town,
            question="犬の登録はどうしますか",
            answer="30日以内に。",
            status=Status.PUBLISHED,
        )
    index, _ = index_cache.get_index(town)
    assert f"e{entry.pk}" in index
    with django_capture_on_commit_callbacks(execute=True):
        services.faq_entry_update(entry=entry, question="犬を飼ったときの届出")
    same, _ = index_cache.get_index(town)
    assert same is index  # patched in place, not rebuilt
    doc = index.get(f"e{entry.pk}")
    assert doc is not None and doc.question == "犬を飼ったときの届出"


def test_other_process_changes_are_noticed_through_the_version() -> None:
    town = MunicipalityFactory()
    entry = services.faq_entry_create(
        municipality=town,
        question="児童手当の支給日",
        answer="偶数月です。",
        status=Status.PUBLISHED,
    )
    index, _ = index_cache.get_index(town)
    assert f"e{entry.pk}" in index
    # Another process edits the FAQ: only the version in the database tells this one.
    from madoguchi.faq.models import FaqEntry

    FaqEntry.objects.filter(pk=entry.pk).update(status=Status.ARCHIVED)
    FaqIndexState.objects.filter(municipality=town).update(version=999)
    again, _ = index_cache.get_index(town)
    assert again is index and f"e{entry.pk}" not in index


def test_demo_command_loads_published_faqs_twice_safely() -> None:
    from django.core.management import call_command

    town = MunicipalityFactory()
    call_command("faq_demo", town.code)
    call_command("faq_demo", town.code)
    docs = selectors.searchable_documents(municipality=town)
    from madoguchi.faq.demo_data import DEMO_FAQS

    assert len(docs) == len(DEMO_FAQS)
    # Every demo FAQ has its English texts (question, answer, category, contact).
    for entry in FaqEntry.objects.for_municipality(town):
        assert entry.question_en and entry.answer_en, entry.question
        assert entry.category_en and entry.contact_en, entry.question
