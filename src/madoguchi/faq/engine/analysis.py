"""Text analysis: Sudachi words and character n-grams.

Words: SudachiPy in split mode C (long units such as 国民健康保険料) plus the mode-A parts of each
compound (国民 / 健康 / 保険 / 料), so a resident who writes only part of a compound still matches.
Each word is reduced to Sudachi's normalised form (引越し → 引っ越し, 子ども → 子供), then width- and
kana-folded. Only content words are kept (nouns, verbs, adjectives, adjectival nouns, nominal
suffixes) minus a stop list of question boilerplate.

Character n-grams: the kana-folded text without punctuation, cut into overlapping bigrams. They catch
what the analyser splits differently on each side (unknown words, odd spellings, dialect). They are
computed with numpy over whole arrays of code points.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .lexicon import Lexicon
from .normalize import SMALL_KANA, fold_width, katakana_to_hiragana
from .terms import IntArray

# Sentence-level analysis cache for long texts.
_CACHE_MIN_CHARS = 120
_CACHE_MAX_ENTRIES = 50_000
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")

# Kinds of index terms (0 = not indexed).
NOUN = 1
PREDICATE = 2
PART = 3


def _pos_kind(pos: tuple[str, ...]) -> int:
    if pos[0] in ("名詞", "形状詞"):
        return 0 if pos[1] == "数詞" else NOUN
    if pos[0] in ("動詞", "形容詞"):
        return PREDICATE
    # Nominal suffixes carry meaning in compounds split apart: 証明「書」, 保険「料」, 窓口「課」.
    return NOUN if pos[0] == "接尾辞" and pos[1] == "名詞的" else 0


def _fold_word(form: str) -> str:
    # Sudachi's normal form already unifies spelling variants; fold the script only.
    return katakana_to_hiragana(form.lower()).replace("ー", "")


class Analyzer:
    """Turns text into index terms. One instance per process; Sudachi is loaded lazily."""

    def __init__(self, lexicon: Lexicon, *, split_compounds: bool = True) -> None:
        self.lexicon = lexicon
        self.split_compounds = split_compounds
        self._local = threading.local()
        self._pos_kind: list[int] | None = None
        self._rewrite_re: re.Pattern[str] | None = None
        self._rewrite_map = dict(lexicon.rewrites)
        # Normal form -> folded term ("" for a stop word); bounded by the vocabulary size.
        self._fold_cache: dict[str, str] = {}
        self._sentence_cache: dict[str, list[tuple[str, int]]] = {}
        # Normal form of a compound -> its folded mode-A parts.
        self._split_cache: dict[str, tuple[str, ...]] = {}
        # Folded term -> Sudachi normal form it came from (to look up word vectors).
        self.forms: dict[str, str] = {}
        if lexicon.rewrites:
            alternatives = "|".join(re.escape(p) for p, _ in lexicon.rewrites)
            self._rewrite_re = re.compile(alternatives)

    # Sudachi objects are not picklable and not thread-safe: one tokenizer per thread.
    def __getstate__(self) -> dict[str, Any]:
        return {
            "lexicon": self.lexicon,
            "split_compounds": self.split_compounds,
            "forms": self.forms,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["lexicon"], split_compounds=state["split_compounds"])  # type: ignore[misc]
        self.forms.update(state.get("forms", {}))

    def _tokenizer(self) -> Any:
        tok = getattr(self._local, "tokenizer", None)
        if tok is None:
            from sudachipy import Dictionary, SplitMode

            dictionary = Dictionary()
            # All fields: subsetting them (fields=...) measured slower with split_a included.
            # SudachiPy < 0.6.9 only has the older name ``create``.
            make = getattr(dictionary, "tokenizer", None) or dictionary.create
            tok = make(mode=SplitMode.C)
            if self._pos_kind is None:
                n_pos = len(dictionary.pos_matcher(lambda _p: True))
                self._pos_kind = [
                    _pos_kind(tuple(dictionary.pos_of(i) or ("", ""))) for i in range(n_pos)
                ]
            self._local.tokenizer = tok
            self._local.mode_a = SplitMode.A
        return tok

    def rewrite(self, text: str) -> str:
        """Apply the dialect/colloquial rewrites (one pass, longest pattern first)."""
        if self._rewrite_re is None:
            return text
        return self._rewrite_re.sub(lambda m: self._rewrite_map[m.group(0)], text)

    def prepare(self, text: str, *, rewrite: bool = False) -> str:
        """Width-fold (and optionally rewrite) once; pass the result with ``prepared=True``."""
        text = fold_width(text)
        return self.rewrite(text) if rewrite else text

    def words(self, text: str, *, rewrite: bool = False, prepared: bool = False) -> list[str]:
        """Content-word terms of ``text`` (normalised, folded, stop words removed)."""
        return [term for term, _kind in self.tagged_words(text, rewrite=rewrite, prepared=prepared)]

    def tagged_words(
        self, text: str, *, rewrite: bool = False, prepared: bool = False
    ) -> list[tuple[str, int]]:
        """Like :meth:`words`, each term with its kind: ``NOUN``, ``PREDICATE`` (verb, adjective)
        or ``PART`` (a mode-A part of a longer compound)."""
        if not prepared:
            text = self.prepare(text, rewrite=rewrite)
        if not text:
            return []
        if len(text) <= _CACHE_MIN_CHARS:
            return self._tag(text)
        # Long texts (answers) are analysed sentence by sentence through a cache: municipal FAQ
        # answers repeat much boilerplate (contact desks, related-question lists, fee notes).
        cache = self._sentence_cache
        sentences = [s for s in _SENTENCE_END.split(text) if s]
        found: dict[str, list[tuple[str, int]]] = {}
        missing: list[str] = []
        for sentence in dict.fromkeys(sentences):
            hit = cache.get(sentence)
            if hit is None:
                missing.append(sentence)
            else:
                found[sentence] = hit
        if missing:
            # One Sudachi call for all new sentences (a call has a fixed cost), split back by
            # character offsets.
            fresh = dict(zip(missing, self._tag_many(missing), strict=True))
            if len(cache) + len(fresh) > _CACHE_MAX_ENTRIES:
                cache.clear()
            cache.update(fresh)
            found.update(fresh)
        out: list[tuple[str, int]] = []
        for sentence in sentences:
            out.extend(found[sentence])
        return out

    def _tag(self, text: str) -> list[tuple[str, int]]:
        return self._tag_many([text])[0]

    def _tag_many(self, texts: list[str]) -> list[list[tuple[str, int]]]:
        """Analyse consecutive texts with one tokenizer call; one result list per text."""
        tok = self._tokenizer()
        kinds = self._pos_kind
        assert kinds is not None
        mode_a = self._local.mode_a
        results: list[list[tuple[str, int]]] = [[] for _ in texts]
        ends = list(itertools.accumulate(len(t) for t in texts))
        index = 0
        out = results[0]
        fold = self._fold_cache
        splits = self._split_cache
        for m in tok.tokenize("".join(texts)):
            kind = kinds[m.part_of_speech_id()]
            if not kind:
                continue
            if len(texts) > 1:
                begin = m.begin()
                while begin >= ends[index]:
                    index += 1
                    out = results[index]
            form = m.normalized_form()
            term = fold.get(form)
            if term is None:
                term = fold[form] = self._fold_new(form)
            if term:
                out.append((term, kind))
            if self.split_compounds and len(form) > 2:
                subs = splits.get(form)
                if subs is None:
                    subs = splits[form] = self._parts(m, term, mode_a)
                out.extend((sub, PART) for sub in subs)
        return results

    def _parts(self, morpheme: Any, term: str, mode_a: Any) -> tuple[str, ...]:
        """Folded mode-A parts of a compound (cached per normal form by the caller)."""
        parts = morpheme.split(mode_a)
        if len(parts) <= 1:
            return ()
        kinds = self._pos_kind
        assert kinds is not None
        fold = self._fold_cache
        subs = []
        for part in parts:
            if kinds[part.part_of_speech_id()]:
                pform = part.normalized_form()
                sub = fold.get(pform)
                if sub is None:
                    sub = fold[pform] = self._fold_new(pform)
                if sub and sub != term:
                    subs.append(sub)
        return tuple(subs)

    def _fold_new(self, form: str) -> str:
        folded = _fold_word(form)
        if folded in self.lexicon.stop_lemmas:
            return ""
        self.forms.setdefault(folded, form)
        return folded

    def char_ngrams(self, text: str, *, rewrite: bool = False, prepared: bool = False) -> list[str]:
        """Overlapping character bigrams of the kana-folded text, without the bigrams made of
        two hiragana (as written): inside a run of hiragana they are particles and inflections.
        The bigrams at the edges of a run (票を, い払) are kept: they carry the case frame. A
        character alone between punctuation counts by itself, unless it is hiragana."""
        if not prepared:
            text = self.prepare(text, rewrite=rewrite)
        codes, _ = bigram_codes([text])
        return [_gram_name(code) for code in codes.tolist()]


# ----- character bigrams ----------------------------------------------------------------------
# Per code point of the Basic Multilingual Plane (characters beyond it never join an n-gram):
_MARK = np.zeros(0x10000, dtype=bool)  # dropped first: long-vowel mark, middle dot
_MARK[[ord("ー"), ord("・")]] = True
_FOLD = np.arange(0x10000, dtype=np.int64)  # katakana → hiragana, then small kana → normal
_FOLD[0x30A1:0x30F7] -= 0x60
_FOLD[[ord(k) for k in SMALL_KANA]] = [ord(v) for v in SMALL_KANA.values()]
_FOLD[0x30A1:0x30F7] = _FOLD[_FOLD[0x30A1:0x30F7]]
_HIRAGANA = np.zeros(0x10000, dtype=bool)
_HIRAGANA[0x3040:0x30A0] = True
_WORD = np.zeros(0x10000, dtype=bool)  # letters and digits (text is lower-cased), kana, kanji
for _range in ("09", "az", "\u3040\u309f", "\u30a0\u30ff", "\u3400\u9fff", "\uf900\ufaff", "々〆"):
    _WORD[ord(_range[0]) : ord(_range[1]) + 1] = True


def bigram_codes(texts: Sequence[str]) -> tuple[IntArray, IntArray]:
    """The character n-grams of each text (see :meth:`Analyzer.char_ngrams`) as numbers, all
    texts one after another, and how many each text has.

    A bigram is ``first << 21 | second`` (code points), a lone character its code point. The
    texts are joined by spaces, which no n-gram crosses.
    """
    joined = np.frombuffer(" ".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bmp = np.minimum(joined, 0xFFFF)
    keep = ~_MARK[bmp]
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    starts = kept_before[np.cumsum(lengths) - lengths]
    bmp = bmp[keep]
    folded = _FOLD[bmp]
    word = _WORD[bmp]
    hira = _HIRAGANA[bmp]  # as written: a bigram inside a run of hiragana is not indexed
    pair = word[:-1] & word[1:] & ~(hira[:-1] & hira[1:])
    starts_pair = np.append(pair, False)
    ends_pair = np.insert(pair, 0, False)
    alone = word & ~starts_pair & ~ends_pair & ~_HIRAGANA[folded]
    at = np.flatnonzero(starts_pair | alone)
    codes = folded[at]
    two = starts_pair[at]
    codes[two] = (codes[two] << 21) | folded[at[two] + 1]
    text_of = np.searchsorted(starts, at, side="right") - 1
    return codes, np.bincount(text_of, minlength=len(texts)).astype(np.int64)


def _gram_name(code: int) -> str:
    return chr(code >> 21) + chr(code & 0x1FFFFF) if code >> 21 else chr(code)


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
