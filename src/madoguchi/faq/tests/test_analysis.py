"""Text folding and analysis: what residents type differently must meet the FAQ's words."""

from __future__ import annotations

import operator
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.core.japanese_analysis.analysis import Analyzer, bigram_codes
from madoguchi.core.japanese_analysis.lexicon import (
    Lexicon,
    default_lexicon,
    parse_rewrites,
    parse_synonyms,
)
from madoguchi.core.japanese_analysis.normalize import (
    fold_all,
    fold_kana_same_length,
    fold_width,
    katakana_to_hiragana,
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(default_lexicon())


def test_fold_width_unifies_full_and_half_width() -> None:
    assert fold_width("ＡＢＣ１２３") == "abc123"
    assert fold_width("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ") == "マイナンバーカード"
    assert fold_width("  住民票 　の\n写し ") == "住民票 の 写し"
    assert fold_width("0120−123—456") == "0120-123-456"


def test_kana_folding() -> None:
    assert katakana_to_hiragana("ゴミ") == "ごみ"
    assert fold_all("ゴミ") == fold_all("ごみ")
    assert fold_all("コンピューター") == "こんぴゆた"
    # Long texts take the numpy path; both paths must agree.
    long_text = "マイナンバーカード" * 20 + "ふりがな"
    assert katakana_to_hiragana(long_text) == "まいなんばーかーど" * 20 + "ふりがな"


@given(st.text(alphabet=st.characters(min_codepoint=0x3000, max_codepoint=0x30FF), max_size=80))
def test_same_length_fold_keeps_positions(text: str) -> None:
    assert len(fold_kana_same_length(text)) == len(text)


def test_words_use_sudachi_normal_forms(analyzer: Analyzer) -> None:
    # 引越し and 引っ越し are one word; 子ども and 子供 too.
    assert set(analyzer.words("引越しの手続き")) & set(analyzer.words("引っ越しの手続き"))
    assert analyzer.words("子どもの医療費") == analyzer.words("子供の医療費")


def test_words_match_across_width(analyzer: Analyzer) -> None:
    assert analyzer.words("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞの更新") == analyzer.words("マイナンバーカードの更新")


def test_compounds_also_give_their_parts(analyzer: Analyzer) -> None:
    terms = analyzer.words("国民健康保険料")
    assert "国民健康保険料" in terms
    assert {"国民", "健康", "保険"} <= set(terms)


def test_question_boilerplate_is_dropped(analyzer: Analyzer) -> None:
    terms = analyzer.words("住民票について教えてください。どうすればいいですか？")
    assert "住民票" in terms
    for stop in ("教える", "下さる", "良い", "為る"):
        assert stop not in terms


def test_dialect_rewrites_to_standard(analyzer: Analyzer) -> None:
    # ほかす (Kansai: throw away) is mis-read by the dictionary unless rewritten first.
    assert "捨てる" in analyzer.words("粗大ごみをほかしたい", rewrite=True)
    assert "捨てる" not in analyzer.words("粗大ごみをほかしたい", rewrite=False)
    assert analyzer.rewrite("なんぼかかるん") == "いくらかかるん"


def test_rewrites_take_the_longest_pattern() -> None:
    lexicon = Lexicon(rewrites=parse_rewrites(["あか\tX", "あかん\tだめ"]))
    assert Analyzer(lexicon).rewrite("あかんわ") == "だめわ"


def test_char_ngrams_fold_scripts_and_skip_particles(analyzer: Analyzer) -> None:
    grams = analyzer.char_ngrams("ゴミ出しの日をください")
    # Katakana and half-width katakana fold to hiragana.
    assert "ごみ" in grams
    assert analyzer.char_ngrams("ｺﾞﾐ出し") == ["ごみ", "み出", "出し"]
    assert "出し" in grams
    # Bigrams inside a hiragana run are particles/inflections, not topic …
    assert "くだ" not in grams
    assert "ださ" not in grams
    # … but the edges of a run keep the case frame.
    assert "日を" in grams
    assert "の日" in grams


# The former regex implementation of the character n-grams: the specification the numpy one
# must match.
_NON_WORD = re.compile(r"[^0-9a-z\u3040-\u309f\u30a0-\u30ff\u3400-\u9fff\uf900-\ufaff々〆]+")
_HIRAGANA = frozenset(chr(c) for c in range(0x3040, 0x30A0))
_HIRAGANA_RUN = re.compile(r"([\u3040-\u309f])[\u3040-\u309f]*([\u3040-\u309f])")
_MARKS = re.compile("[ー・]")


def reference_bigrams(text: str) -> list[str]:
    text = _HIRAGANA_RUN.sub(r"\1 \2", _MARKS.sub("", text))
    grams: list[str] = []
    for piece in _NON_WORD.split(fold_kana_same_length(text)):
        if len(piece) >= 2:
            grams.extend(map(operator.add, piece, piece[1:]))
        elif piece and piece not in _HIRAGANA:
            grams.append(piece)
    return grams


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("あいうをんぁっゃゝゞアイウヲンァッャヵヶヽヾー・住民票出々〆")
        + list("09az AZ。、！？!?（）\n")
        + ["\U00020b9f", "\uff76", "\u3099", "ﾞ", "\uf900", "\ufaff", "\u9fff", "\u3400"]
    ),
    max_size=40,
)


@given(st.lists(_TEXT, max_size=6))
def test_bigrams_match_the_reference(analyzer: Analyzer, texts: list[str]) -> None:
    for text in texts:
        assert analyzer.char_ngrams(text, prepared=True) == reference_bigrams(text)
    # Many texts at once: the same n-grams, none across two texts.
    codes, per_text = bigram_codes(texts)
    assert per_text.tolist() == [len(reference_bigrams(t)) for t in texts]
    assert codes.size == sum(per_text.tolist())


def test_parse_synonyms_skips_comments_and_singletons() -> None:
    groups = parse_synonyms(["原付\t原動機付自転車", "ひとつだけ", "Ａ\tａ\tb"])
    assert groups == (("原付", "原動機付自転車"), ("a", "b"))


def test_default_lexicon_loads_data_files() -> None:
    lexicon = default_lexicon()
    assert len(lexicon.synonym_groups) > 50
    assert any("原動機付自転車" in g for g in lexicon.synonym_groups)
    assert "為る" in lexicon.stop_lemmas


def test_long_texts_analyse_like_their_sentences(analyzer: Analyzer) -> None:
    sentences = [
        "住民票の写しは市民課の窓口で交付します。",
        "本人確認書類をお持ちください。",
        "代理人が請求するときは委任状が必要です。",
        "手数料は一通三百円です。",
        "本人確認書類をお持ちください。",
    ]
    long_text = "".join(sentences)
    assert len(long_text) > 60
    one_by_one = [t for s in sentences for t in analyzer.words(s)]
    assert analyzer.words(long_text * 2) == one_by_one * 2
    # Served from the sentence cache the second time: same result.
    assert analyzer.words(long_text * 2) == one_by_one * 2
    grams = [g for s in sentences for g in analyzer.char_ngrams(s)]
    assert analyzer.char_ngrams(long_text * 2) == grams * 2


def test_sentence_cache_overflow_keeps_results(monkeypatch: pytest.MonkeyPatch) -> None:
    import madoguchi.core.japanese_analysis.analysis as analysis

    monkeypatch.setattr(analysis, "_CACHE_MAX_ENTRIES", 3)
    small = Analyzer(default_lexicon())
    texts = [
        "".join(f"第{i}{j}条の申請書を窓口に出してください。" for j in range(6)) for i in range(4)
    ]
    first = [small.words(t) for t in texts]
    again = [small.words(t) for t in reversed(texts)]
    assert again == list(reversed(first))
    assert len(small._sentence_cache) <= 12
