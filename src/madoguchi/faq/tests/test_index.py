"""FaqIndex on a small hand-written FAQ set."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from madoguchi.faq.engine import EngineConfig, FaqDocument, FaqIndex
from madoguchi.faq.engine.bm25 import Bm25fIndex, FieldSpec

FAQS = [
    FaqDocument(
        id="moving-out",
        question="市外へ引っ越すときの手続きを知りたい",
        answer="転出届を市民課に提出してください。転出証明書を交付します。本人確認書類が必要です。",
        category="住民登録",
    ),
    FaqDocument(
        id="moving-in",
        question="他の市から転入したときの届出は？",
        answer="転入届は引っ越した日から14日以内に市民課へ。転出証明書をお持ちください。",
        category="住民登録",
    ),
    FaqDocument(
        id="moped",
        question="原動機付自転車のナンバープレートを受け取りたい",
        answer="税務課の窓口で標識を交付します。販売証明書と印鑑をお持ちください。",
        alt_questions=["バイクのナンバー登録"],
        category="税金",
    ),
    FaqDocument(
        id="bulky-waste",
        question="粗大ごみの出し方",
        answer="粗大ごみは電話で申し込み、処理券を貼って指定日に出してください。",
        keywords=["大型ごみ", "家具"],
        category="ごみ",
    ),
    FaqDocument(
        id="resident-card",
        question="住民票の写しはどこで取れますか",
        answer="市民課と各支所の窓口で交付します。マイナンバーカードがあればコンビニでも取れます。",
        category="証明書",
    ),
    FaqDocument(
        id="hornets",
        question="スズメバチの巣を駆除してほしい",
        answer="家の敷地の蜂の巣は所有者が駆除します。専門の業者を紹介します。",
        category="生活環境",
    ),
    FaqDocument(
        id="library",
        question="図書館の開館時間は？",
        answer="中央図書館は午前9時から午後7時まで開館しています。月曜日は休館です。",
        category="文化",
    ),
    FaqDocument(
        id="health-insurance",
        question="国民健康保険料の計算方法",
        answer="国民健康保険料は前年の所得をもとに計算します。",
        category="保険",
    ),
]

# Without word vectors: the lexical engine alone must pass these tests on any machine.
LEXICAL = EngineConfig(use_use=False, use_e5=False, use_dense=False)


def ranked(index: FaqIndex, query: str, k: int = 3) -> list[str]:
    return [hit.doc_id for hit in index.search(query, k=k).hits]


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    idx = FaqIndex(LEXICAL)
    idx.build(FAQS)
    return idx


def test_finds_the_faq_for_a_plain_question(index: FaqIndex) -> None:
    assert ranked(index, "図書館は何時まで開いていますか")[0] == "library"
    assert ranked(index, "住民票はどこでもらえる？")[0] == "resident-card"


def test_full_width_and_half_width_queries_rank_alike(index: FaqIndex) -> None:
    assert ranked(index, "ｺﾝﾋﾞﾆで住民票") == ranked(index, "コンビニで住民票")


def test_synonyms_bridge_residents_words_and_official_terms(index: FaqIndex) -> None:
    # 原付 is the everyday word; the FAQ only says 原動機付自転車.
    assert ranked(index, "原付")[0] == "moped"
    without = FaqIndex(
        EngineConfig(use_use=False, use_e5=False, use_dense=False, use_synonyms=False)
    )
    without.build(FAQS)
    assert "moped" not in ranked(without, "原付")


def test_query_terms_include_synonyms_at_lower_weight(index: FaqIndex) -> None:
    terms = index.query_terms("原付を廃車したい")
    assert terms["原付き"] == 1.0
    assert terms["廃車"] == 1.0
    assert 0 < terms["原動機付自転車"] < 1.0
    assert 0 < terms["抹消"] < 1.0


def test_dialect_question(index: FaqIndex) -> None:
    assert ranked(index, "でかい家具ほかしたいんやけど、どないしたらええの")[0] == "bulky-waste"


def test_keywords_and_alt_questions_are_searched(index: FaqIndex) -> None:
    assert ranked(index, "大型ごみ")[0] == "bulky-waste"
    assert ranked(index, "バイクのナンバー登録")[0] == "moped"


def test_unrelated_question_is_not_confident(index: FaqIndex) -> None:
    result = index.search("明日の天気と競馬の予想を教えて")
    assert not result.confident
    assert result.confidence < index.config.confidence_threshold


def test_good_match_is_confident(index: FaqIndex) -> None:
    result = index.search("粗大ごみの出し方を教えて")
    assert result.confident
    assert result.best is not None and result.best.doc_id == "bulky-waste"


def test_empty_query_returns_nothing(index: FaqIndex) -> None:
    result = index.search("？？")
    assert result.hits == ()
    assert not result.confident


def _all_scores(index: FaqIndex, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [[(h.doc_id, h.score) for h in index.search(q, k=10).hits] for q in queries]


QUERIES = [
    "引っ越しの手続き",
    "原付のナンバー",
    "ごみを出したい",
    "住民票をコンビニで",
    "蜂の巣がある",
    "保険料の計算",
]


def test_incremental_upserts_equal_a_full_rebuild() -> None:
    # Build from half, then upsert the rest, edit one, remove one …
    incremental = FaqIndex(LEXICAL)
    incremental.build(FAQS[:4])
    for doc in FAQS[4:]:
        incremental.upsert(doc)
    edited = FaqDocument(
        id="library",
        question="図書館の開館時間と休館日",
        answer="午前9時から午後8時まで。休館日は月曜日です。",
    )
    incremental.upsert(edited)
    incremental.remove("hornets")
    incremental.upsert(FaqDocument(id="temp", question="一時的なお知らせ", answer="臨時"))
    incremental.remove("temp")

    # … and compare with an index built in one go from the final content.
    final = [edited if d.id == "library" else d for d in FAQS if d.id != "hornets"]
    rebuilt = FaqIndex(LEXICAL)
    rebuilt.build(final)

    assert len(incremental) == len(rebuilt) == len(final)
    for got, want in zip(
        _all_scores(incremental, QUERIES), _all_scores(rebuilt, QUERIES), strict=True
    ):
        assert [d for d, _ in got] == [d for d, _ in want]
        for (_, a), (_, b) in zip(got, want, strict=True):
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    assert "hornets" not in incremental
    assert ranked(incremental, "図書館の休館日")[0] == "library"


def test_upsert_only_into_empty_index_equals_build() -> None:
    one_by_one = FaqIndex(LEXICAL)
    for doc in FAQS:
        one_by_one.upsert(doc)
    bulk = FaqIndex(LEXICAL)
    bulk.build(FAQS)
    for got, want in zip(_all_scores(one_by_one, QUERIES), _all_scores(bulk, QUERIES), strict=True):
        assert [d for d, _ in got] == [d for d, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want])


def test_remove_unknown_id_is_a_no_op(index: FaqIndex) -> None:
    assert index.remove("no-such-faq") is False


def test_save_and_load_round_trip(tmp_path: Path, index: FaqIndex) -> None:
    path = tmp_path / "tenant.idx"
    index.save(path)
    loaded = FaqIndex.load(path)
    assert _all_scores(loaded, QUERIES) == _all_scores(index, QUERIES)
    loaded.upsert(FaqDocument(id="new", question="犬の登録をしたい", answer="保健所で登録します。"))
    assert ranked(loaded, "犬の登録")[0] == "new"


def test_bm25f_field_weights_and_saturation() -> None:
    idx = Bm25fIndex([FieldSpec("q", 2.0, 0.0), FieldSpec("a", 1.0, 0.0)], k1=1.2)
    idx.add(0, [["x"], []])
    idx.add(1, [[], ["x"]])
    idx.add(2, [["y"], ["y", "y"]])
    scores = idx.score({"x": 1.0})
    # A match in the heavier field scores higher; a document without the term scores 0.
    assert scores[0] > scores[1] > 0
    assert scores[2] == 0
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    assert scores[0] == pytest.approx(idf * 2.0 * 2.2 / (1.2 + 2.0))
    assert scores[1] == pytest.approx(idf * 1.0 * 2.2 / (1.2 + 1.0))


def test_bm25f_bulk_load_equals_adds() -> None:
    fields = [FieldSpec("q", 1.0, 0.5), FieldSpec("a", 0.5, 0.75)]
    docs = [(0, [["a", "b"], ["b", "c", "c"]]), (1, [["c"], ["a", "d"]]), (2, [[], ["d"]])]
    bulk = Bm25fIndex(fields)
    bulk.bulk_load(docs)
    one = Bm25fIndex(fields)
    for slot, terms in docs:
        one.add(slot, terms)
    query = {"a": 1.0, "c": 0.5, "d": 1.0}
    assert bulk.score(query).tolist() == pytest.approx(one.score(query).tolist())
    bulk.remove(1)
    one.remove(1)
    assert bulk.df("a") == one.df("a") == 1
    assert bulk.score(query).tolist() == pytest.approx(one.score(query).tolist())
