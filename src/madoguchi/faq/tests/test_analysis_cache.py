"""The analysis cache: a rebuild takes unchanged FAQs' terms from it instead of analysing them
again, and ranks exactly like an index built from scratch."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from madoguchi.core import forking
from madoguchi.core.japanese_analysis.analysis import Analyzer
from madoguchi.core.japanese_analysis.lexicon import default_lexicon
from madoguchi.faq.engine import EngineConfig, FaqDocument, FaqIndex
from madoguchi.faq.engine.analysis_cache import AnalysisCache

from .test_bulk_analysis import _faqs
from .test_index import FAQS

# Words, characters and chiVe vectors (when ja-ginza is installed); no sentence encoder, which
# the analysis cache does not concern.
CONFIG = EngineConfig(use_use=False, use_e5=False)

QUERIES = [
    "引っ越しの手続き",
    "原付のナンバー",
    "粗大ごみを出したい",
    "住民票をコンビニで",
    "蜂の巣がある",
    "図書館の休館日",
    "証明書を受け取りたい",
    "住所が変わった",
    "第7号の申請書",
    "転入届を申し込みたい",
]


def _corpus() -> list[FaqDocument]:
    return [*FAQS, *_faqs()]


def _fresh_index() -> FaqIndex:
    # Its own analyzer: nothing analysed before (as in a new worker process).
    return FaqIndex(CONFIG, analyzer=Analyzer(default_lexicon()))


def _results(index: FaqIndex) -> list[Any]:
    return [index.search(q) for q in QUERIES]


def _key(index: FaqIndex, doc: FaqDocument) -> bytes:
    return index.analysis_cache.key(index._analysed_texts(doc))


def _changed(docs: list[FaqDocument]) -> list[FaqDocument]:
    """One FAQ edited, one removed, one added."""
    out = [
        replace(d, answer="中央図書館は午前10時から午後6時まで。休館日は火曜日です。")
        if d.id == "library"
        else d
        for d in docs
        if d.id != "hornets"
    ]
    return [*out, FaqDocument(id="dog", question="犬の登録をしたい", answer="保健所で登録します。")]


def test_a_rebuild_from_the_stored_cache_ranks_exactly_like_a_cold_build(tmp_path: Path) -> None:
    docs = _corpus()
    cold = _fresh_index()
    cold.build(docs)
    assert cold.analysis_cache.analysed == len(docs)
    path = tmp_path / "index.pickle"
    cold.save(path)
    stored = FaqIndex.load(path)

    # The same FAQs: nothing is analysed, and every hit and score is the same.
    again = _fresh_index()
    again.adopt_analysis_cache(stored.analysis_cache)
    again.build(docs)
    assert again.analysis_cache.analysed == 0
    assert _results(again) == _results(cold)

    # One edited, one removed, one added: only two FAQs are analysed, and the index ranks as one
    # built from nothing.
    changed = _changed(docs)
    rebuilt = _fresh_index()
    rebuilt.adopt_analysis_cache(stored.analysis_cache)
    rebuilt.build(changed)
    assert rebuilt.analysis_cache.analysed == 2
    reference = _fresh_index()
    reference.build(changed)
    assert _results(rebuilt) == _results(reference)
    assert rebuilt.search("図書館の休館日").hits[0].doc_id == "library"
    assert rebuilt.search("犬の登録").hits[0].doc_id == "dog"


def test_an_edited_faq_is_analysed_again_and_a_removed_one_leaves_the_cache() -> None:
    docs = _corpus()
    index = _fresh_index()
    index.build(docs)
    by_id = {d.id: d for d in docs}
    old_library, hornets = _key(index, by_id["library"]), _key(index, by_id["hornets"])
    assert old_library in index.analysis_cache and hornets in index.analysis_cache

    changed = _changed(docs)
    index.build(changed)
    cache = index.analysis_cache
    assert cache.analysed == 2
    edited = next(d for d in changed if d.id == "library")
    assert _key(index, edited) in cache
    assert old_library not in cache and hornets not in cache
    assert len(cache) == len(changed)


def test_an_edit_analyses_one_faq_and_only_when_its_words_changed() -> None:
    index = _fresh_index()
    index.build(FAQS)  # (no near-ties, which rounding could reorder)
    cache = index.analysis_cache
    before = cache.analysed
    # English text only feeds the sentence vectors: the words are taken from the cache.
    library = index.get("library")
    assert library is not None
    index.upsert(replace(library, question_en="Library opening hours"))
    assert cache.analysed == before
    index.upsert(replace(library, question="図書館の駐車場は使えますか"))
    assert cache.analysed == before + 1
    assert index.search("図書館の駐車場").hits[0].doc_id == "library"

    # Upserts from the cache rank as an index built afresh (up to rounding: the delta segment
    # adds scores in another order).
    reference = _fresh_index()
    reference.build(list(index.documents()))
    for got, want in zip(_results(index), _results(reference), strict=True):
        assert [h.doc_id for h in got.hits] == [h.doc_id for h in want.hits]
        assert [h.score for h in got.hits] == pytest.approx([h.score for h in want.hits])


def test_a_rebuild_with_little_to_analyse_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _corpus()
    sizes = sum(len(d.question) + len(d.answer) for d in docs)
    # A threshold that the whole corpus passes and a few FAQs do not.
    monkeypatch.setattr(forking, "MIN_PARALLEL_CHARS", sizes // 2)
    monkeypatch.setattr(forking.threading, "active_count", lambda: 1)
    forks: list[int] = []
    real_map = forking.map_pieces

    def counting_map(*args: Any, **kwargs: Any) -> Any:
        forks.append(1)
        return real_map(*args, **kwargs)

    monkeypatch.setattr(forking, "map_pieces", counting_map)
    index = _fresh_index()
    index.build(docs)
    assert forks  # the cold build runs on all cores
    forks.clear()
    index.build(_changed(docs))
    assert index.analysis_cache.analysed == 2
    assert forks == []
    # A repack after many removals (it may run in a web process) never forks either.
    index.build(docs[:3], parallel=False)
    assert forks == []


def test_a_cache_made_under_other_settings_is_not_used() -> None:
    docs = _corpus()
    index = _fresh_index()
    index.build(docs)
    other = FaqIndex(replace(CONFIG, use_rewrites=False), analyzer=Analyzer(default_lexicon()))
    other.adopt_analysis_cache(index.analysis_cache)
    assert len(other.analysis_cache) == 0
    other.build(docs)
    assert other.analysis_cache.analysed == len(docs)


def test_the_cache_round_trips_as_plain_arrays() -> None:
    index = _fresh_index()
    index.build(_corpus())
    cache = index.analysis_cache
    copy = AnalysisCache.from_arrays(cache.to_arrays())
    assert copy.signature == cache.signature and len(copy) == len(cache)
    fresh = _fresh_index()
    fresh.adopt_analysis_cache(copy)
    fresh.build(_corpus())
    assert fresh.analysis_cache.analysed == 0
    assert _results(fresh) == _results(index)
    empty = AnalysisCache.from_arrays(AnalysisCache("x").to_arrays())
    assert len(empty) == 0 and empty.to_arrays()["keys"].shape == (0, 16)
    assert np.array_equal(copy.to_arrays()["words"], cache.to_arrays()["words"])


def test_a_loaded_index_takes_edits_without_unpacking_its_cache(tmp_path: Path) -> None:
    index = _fresh_index()
    index.build(FAQS)
    path = tmp_path / "index.pickle"
    index.save(path)
    loaded = FaqIndex.load(path)
    cache = loaded.analysis_cache
    library = loaded.get("library")
    assert library is not None
    loaded.upsert(replace(library, answer_en="Open 9 to 7."))  # words from the stored entry
    loaded.upsert(FaqDocument(id="dog", question="犬の登録をしたい", answer="保健所で登録します。"))
    assert cache.analysed == 1
    assert cache._unpacked is not None  # a web process's edit does not unpack every entry
    assert loaded.search("犬の登録").hits[0].doc_id == "dog"
    assert [h.doc_id for h in loaded.search("図書館の休館日").hits][:1] == ["library"]
    # The new entry and the stored ones are all there for the next build.
    # (Only the library's English text changed: its words keep their entry.)
    assert len(cache) == len(FAQS) + 1
