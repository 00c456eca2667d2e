"""Bulk analysis (index builds) gives exactly what one analysis call per text gives, also when
it runs in worker processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import madoguchi.core.japanese_analysis.analysis as analysis
from madoguchi.core import forking
from madoguchi.core.japanese_analysis.analysis import Analyzer, gram_sequences
from madoguchi.core.japanese_analysis.lexicon import default_lexicon
from madoguchi.faq.engine import FaqDocument, FaqIndex

# Sentences that several texts share (answers repeat boilerplate), and words that share a normal
# form but split differently (受け取って: 受ける+取る, 受け取れ: 受ける+取れる): the first one met
# decides, so the bulk run must agree with one call per text on which came first.
_SHARED = ["詳しくは市民課へお問い合わせください。", "本人確認書類をお持ちください。"]
_FIRST = "書類は窓口で受け取ってください。"
_LATER = ["証明書は郵送でも受け取れます。", "転入届は電話でも申し込めます。"]


def _corpus() -> list[str]:
    texts = [_FIRST + "".join(_SHARED) + "手数料は三百円です。" * 5]
    for i in range(60):
        own = f"第{i}号の申請書を出してください。住所が変わったら{i}日以内に届けてください。"
        later = "".join(_LATER) if i >= 20 else ""
        if i == 45:  # 取れる on its own, once: in a piece whose discarded split met it first
            later += "休みが取れる日に来てください。"
        texts.append(later + own + _SHARED[i % 2] + "マイナンバーカードを使えます。" + own)
        texts.append(f"第{i}号の申請")  # short: analysed whole
        texts.append("")
    texts.append("受付は平日です。申し込んでください。" * 6)
    return texts


def _one_call_per_text(analyzer: Analyzer, texts: list[str]) -> tuple[list[list[str]], ...]:
    return (
        [analyzer.words(t, prepared=True) for t in texts],
        [analyzer.char_ngrams(t, prepared=True) for t in texts],
    )


def _caches(analyzer: Analyzer) -> tuple[object, ...]:
    return (
        analyzer._sentence_cache,
        analyzer._split_cache,
        analyzer._fold_cache,
        analyzer.forms,
    )


@pytest.fixture
def small_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A small sentence cache overflows during the run, which changes the Sudachi batches.
    monkeypatch.setattr(analysis, "_CACHE_MAX_ENTRIES", 25)
    monkeypatch.setattr(forking, "MIN_PARALLEL_CHARS", 0)
    yield


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.usefixtures("small_caches")
def test_corpus_words_equal_one_call_per_text(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _corpus()
    warm_up = "受付は平日です。" + "".join(_SHARED) + "窓口は二階です。" * 8

    serial = Analyzer(default_lexicon())
    serial.words(warm_up)
    words, grams = _one_call_per_text(serial, texts)

    again: list[set[int]] = []
    replay = Analyzer._replay

    def spy(self: Analyzer, result: analysis._PieceResult) -> set[int]:
        out = replay(self, result)
        again.append(out)
        return out

    monkeypatch.setattr(Analyzer, "_replay", spy)
    bulk = Analyzer(default_lexicon())
    bulk.words(warm_up)
    bulk_words = bulk.corpus_words(texts, workers=workers)

    assert bulk_words.to_lists() == words
    assert gram_sequences(texts).to_lists() == grams
    assert _caches(bulk) == _caches(serial)
    assert serial.forms["取れる"] == "取れる"  # met on its own only
    if workers > 1:
        assert len(again) == workers * analysis.PIECES_PER_WORKER
        assert any(again)  # some piece met 受け取る first as 受け取れ: analysed again
    # The caches go on as they would have: a later call gives the same terms.
    later = "".join(_LATER) + "".join(_SHARED) + "受付は平日です。" * 12
    assert bulk.words(later, prepared=True) == serial.words(later, prepared=True)


def _faqs() -> list[FaqDocument]:
    return [
        FaqDocument(
            id=f"faq-{i}",
            question=f"第{i}号の書類はどこで受け取れますか",
            answer=text,
            keywords=["証明書"] if i % 3 == 0 else [],
            category="手続き",
        )
        for i, text in enumerate(_corpus())
        if text
    ]


@pytest.mark.usefixtures("small_caches")
def test_build_on_two_cores_ranks_exactly_like_one(monkeypatch: pytest.MonkeyPatch) -> None:
    queries = ["証明書を受け取りたい", "転入届を申し込みたい", "住所が変わった", "第7号の申請書"]
    results = {}
    for workers in (1, 2):
        monkeypatch.setattr(forking, "usable_workers", lambda size, workers=workers: workers)
        index = FaqIndex(analyzer=Analyzer(default_lexicon()))  # dense channel if installed
        index.build(_faqs())
        results[workers] = [index.search(q) for q in queries]
    assert results[2] == results[1]
    assert all(result.hits for result in results[1])
