"""Text analysis: Sudachi words and character n-grams.

Words: SudachiPy in split mode C (long units such as 国民健康保険料) plus the mode-A parts of each
compound (国民 / 健康 / 保険 / 料), so a resident who writes only part of a compound still matches.
Each word is reduced to Sudachi's normalised form (引越し → 引っ越し, 子ども → 子供), then width- and
kana-folded. Only content words are kept (nouns, verbs, adjectives, adjectival nouns, nominal
suffixes) minus a stop list of question boilerplate.

Character n-grams: the kana-folded text without punctuation, cut into overlapping bigrams. They catch
what the analyser splits differently on each side (unknown words, odd spellings, dialect). They are
computed with numpy over whole arrays of code points, for one query or a whole corpus alike.

Bulk analysis (:meth:`Analyzer.corpus_words`, for an index build): the Sudachi calls that one call
of :meth:`Analyzer.words` per text would make are planned ahead, deduplicated over the corpus, and
run on all cores by forked worker processes; each text's terms come back as integer arrays
(:class:`~.terms.TermSequences`). Every result, and every cache, ends up exactly as those serial
calls would have left them (see :meth:`Analyzer._plan_words` and :meth:`Analyzer._run_piece`).
"""

from __future__ import annotations

import itertools
import re
import threading
from array import array
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from madoguchi.core import forking

from .lexicon import Lexicon
from .normalize import SMALL_KANA, fold_width, katakana_to_hiragana
from .terms import IntArray, TermSequences

# Sentence-level analysis cache for long texts.
_CACHE_MIN_CHARS = 120
_CACHE_MAX_ENTRIES = 50_000
V = TypeVar("V")  # what a sentence cache holds
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")

# Pieces of work per worker: a few, so a worker slowed by other load does not hold up the rest.
PIECES_PER_WORKER = 3

Tagged = list[tuple[str, int]]

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
        # Normal form of a compound -> its folded mode-A parts, as (part, PART) terms.
        self._split_cache: dict[str, tuple[tuple[str, int], ...]] = {}
        # The fold cache as compound splitting sees it (a separate one only in a bulk worker).
        self._part_folds = self._fold_cache
        # In a bulk worker: the word forms and compounds the current batch met first.
        self._log: list[str | _Split] | None = None
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
        found, missing = _split_cached(sentences, cache)
        if missing:
            # One Sudachi call for all new sentences (a call has a fixed cost), split back by
            # character offsets.
            fresh = dict(zip(missing, self._tag_many(missing), strict=True))
            _remember(cache, fresh)
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
        log = self._log
        many = len(texts) > 1
        split_compounds = self.split_compounds
        for m in tok.tokenize("".join(texts)):
            kind = kinds[m.part_of_speech_id()]
            if not kind:
                continue
            if many:
                begin = m.begin()
                while begin >= ends[index]:
                    index += 1
                    out = results[index]
            form = m.normalized_form()
            term = fold.get(form)
            if term is None:
                term = fold[form] = self._fold_new(form)
                if log is not None:
                    log.append(form)
            if term:
                out.append((term, kind))
            if split_compounds and len(form) > 2:
                parts = splits.get(form)
                if parts is None:
                    parts = splits[form] = self._parts(m, term, mode_a)
                if parts:
                    out.extend(parts)
        return results

    def _parts(self, morpheme: Any, term: str, mode_a: Any) -> tuple[tuple[str, int], ...]:
        """Folded mode-A parts of a compound as (part, PART) terms (cached per normal form by
        the caller).

        Words that share a normal form can split differently (受け取る read from 受け取れる
        gives 取れる), so the cache keeps the parts of the first one met.
        """
        parts = morpheme.split(mode_a)
        kinds = self._pos_kind
        assert kinds is not None
        pforms = (
            [part.normalized_form() for part in parts if kinds[part.part_of_speech_id()]]
            if len(parts) > 1
            else []
        )
        fold = self._part_folds
        subs = []
        for pform in pforms:
            sub = fold.get(pform)
            if sub is None:
                sub = fold[pform] = self._fold_new(pform)
            if sub and sub != term:
                subs.append((sub, PART))
        if self._log is not None:
            self._log.append(_Split(morpheme.normalized_form(), tuple(subs), tuple(pforms)))
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

    # ----- bulk analysis ------------------------------------------------------------------------
    def corpus_words(
        self,
        texts: Sequence[str],
        *,
        workers: int = 1,
        meanwhile: Callable[[], object] | None = None,
    ) -> TermSequences:
        """``words(t, prepared=True)`` of each of many prepared texts, exactly as one call per
        text, in this order, would give them and leave the caches; with ``workers`` > 1 in that
        many forked processes (see :func:`.forking.usable_workers`), running ``meanwhile`` here
        in the meantime."""
        plan = self._plan_words(texts)
        if workers > 1:
            units = self._run_forked(plan, workers, meanwhile)
        else:
            if meanwhile is not None:
                meanwhile()
            units = self._run_here(plan)
        return self._assemble(plan, units)

    def _plan_words(self, texts: Sequence[str]) -> _WordPlan:
        """The Sudachi calls that :meth:`tagged_words` would make for ``texts`` in turn, and
        which of their results each text's terms come from.

        A call's result for a sentence can depend on its neighbours in the batch (a word may join
        across a sentence end, and the first word's connection cost follows the previous one),
        so the batches must be those the sentence cache would lead to. That depends only on which
        sentences the cache holds, so replaying its bookkeeping finds them without analysing
        anything. Units are the texts of the distinct batches, numbered in order, then the
        sentences the cache held before.
        """
        batches: dict[tuple[str, ...], int] = {}  # distinct batch -> its first unit
        n_units = 0
        cached: list[Tagged] = []
        held: dict[str, int] = {}  # the cache: sentence -> unit (negative: held before)
        for sentence, tagged in self._sentence_cache.items():
            cached.append(tagged)
            held[sentence] = -len(cached)
        occurrences: list[int] = []
        per_text: list[int] = []
        for text in texts:
            if not text:
                per_text.append(0)
                continue
            if len(text) <= _CACHE_MIN_CHARS:
                unit = batches.get((text,))
                if unit is None:
                    unit = batches[(text,)] = n_units
                    n_units += 1
                occurrences.append(unit)
                per_text.append(1)
                continue
            sentences = [s for s in _SENTENCE_END.split(text) if s]
            units, missing = _split_cached(sentences, held)
            if missing:
                key = tuple(missing)
                first = batches.get(key)
                if first is None:
                    first = batches[key] = n_units
                    n_units += len(key)
                fresh = dict(zip(missing, range(first, first + len(key)), strict=True))
                _remember(held, fresh)
                units.update(fresh)
            occurrences.extend(map(units.__getitem__, sentences))
            per_text.append(len(sentences))
        occ = np.asarray(occurrences, dtype=np.int64)
        return _WordPlan(
            batches=list(batches),
            first_unit=list(batches.values()),
            n_units=n_units,
            occurrences=np.where(occ < 0, n_units - occ - 1, occ),
            per_text=np.asarray(per_text, dtype=np.int64),
            held={s: u if u >= 0 else n_units - u - 1 for s, u in held.items()},
            cached=cached,
        )

    def _run_here(self, plan: _WordPlan) -> _UnitResults:
        tags: list[Tagged] = []
        for batch in plan.batches:
            tags.extend(self._tag_many(list(batch)))
        results = _UnitResults()
        results.add(np.arange(plan.n_units), _Packed.pack(tags))
        return results

    def _run_forked(
        self, plan: _WordPlan, workers: int, meanwhile: Callable[[], object] | None
    ) -> _UnitResults:
        """Run the plan's batches in forked worker processes, then bring this process's caches
        to where serial calls would have left them."""
        self._tokenizer()  # load Sudachi before forking: the workers inherit it
        sizes = [sum(map(len, batch)) for batch in plan.batches]
        pieces = forking.even_pieces(sizes, workers * PIECES_PER_WORKER)
        # The workers start from these caches as they are now (they change only copies).
        folds, splits = self._fold_cache, self._split_cache
        done = forking.map_pieces(
            lambda lo, hi: self._run_piece(plan, folds, splits, lo, hi),
            pieces,
            workers,
            meanwhile=meanwhile,
        )
        results = _UnitResults()
        again: list[int] = []
        for (lo, hi), result in zip(pieces, done, strict=True):
            first = plan.first_unit[lo] if lo < hi else 0
            results.add(np.arange(first, first + len(result.tags.lengths)), result.tags)
            differs = self._replay(result)
            if differs:
                found = self._batches_with(differs, result.tags, plan.batches[lo:hi])
                again.extend(lo + i for i in found)
        if again:
            # Their piece split a compound unlike its first occurrence in the plan: analyse them
            # again here, now that the caches are complete (so nothing in them changes).
            units: list[int] = []
            tags: list[Tagged] = []
            for b in sorted(again):
                batch = plan.batches[b]
                units.extend(range(plan.first_unit[b], plan.first_unit[b] + len(batch)))
                tags.extend(self._tag_many(list(batch)))
            results.add(np.asarray(units, dtype=np.int64), _Packed.pack(tags))
        return results

    def _run_piece(
        self,
        plan: _WordPlan,
        folds: dict[str, str],
        splits: dict[str, tuple[tuple[str, int], ...]],
        lo: int,
        hi: int,
    ) -> _PieceResult:
        """Batches ``lo:hi`` of the plan, in a worker process.

        Every piece starts from the caches as they were at the fork (``folds``, ``splits``), so
        what it reports does not depend on which pieces this worker ran before. Per batch it
        logs, in order, the word forms new to the piece and the compounds it split (with all
        their parts' forms): replayed in plan order (:meth:`_replay`), these give the first form
        of every folded term exactly as serial calls meet it. Words and parts have separate fold
        caches here, so that a part met in a split the parent discards cannot hide a later
        first meeting of the same word.
        """
        self._fold_cache = dict(folds)
        self._part_folds = dict(folds)
        self._split_cache = dict(splits)
        tags: list[Tagged] = []
        logs: list[list[str | _Split]] = []
        for batch in plan.batches[lo:hi]:
            self._log = []
            tags.extend(self._tag_many(list(batch)))
            logs.append(self._log)
        self._log = None
        return _PieceResult(_Packed.pack(tags), logs)

    def _replay(self, result: _PieceResult) -> set[str]:
        """Apply a piece's first meetings to this process's caches and ``forms`` as the serial
        calls would have (pieces must come in plan order). Returns the compounds that the piece
        split unlike their first occurrence in the plan."""
        fold = self._fold_cache
        splits = self._split_cache
        differs: set[str] = set()
        for log in result.logs:
            for event in log:
                if isinstance(event, str):
                    if event not in fold:
                        fold[event] = self._fold_new(event)
                    continue
                known = splits.get(event.form)
                if known is None:
                    splits[event.form] = event.parts
                    for pform in event.part_forms:
                        if pform not in fold:
                            fold[pform] = self._fold_new(pform)
                elif known != event.parts:
                    differs.add(event.form)
        return differs

    def _batches_with(
        self, forms: set[str], tags: _Packed[tuple[str, int]], batches: list[tuple[str, ...]]
    ) -> list[int]:
        """The batches (of one piece, with these results) in which any of these compounds may
        occur: those whose terms include its folded form, as every occurrence adds it; all of
        them if a compound is a stop word."""
        terms = {self._fold_cache.get(form, "") for form in forms}
        if "" in terms:
            return list(range(len(batches)))
        wanted = [i for i, (term, _kind) in enumerate(tags.table) if term in terms]
        at = np.flatnonzero(np.isin(np.asarray(tags.numbers, dtype=np.int64), wanted))
        text_ends = np.cumsum(np.asarray(tags.lengths, dtype=np.int64))
        batch_of_text = np.repeat(np.arange(len(batches)), [len(b) for b in batches])
        return np.unique(batch_of_text[np.searchsorted(text_ends, at, side="right")]).tolist()

    def _assemble(self, plan: _WordPlan, results: _UnitResults) -> TermSequences:
        """Each text's terms from its units; the sentence cache as the serial calls leave it."""
        n_units = plan.n_units + len(plan.cached)
        results.add(np.arange(plan.n_units, n_units), _Packed.pack(plan.cached))
        pairs, flat, start, length = results.arrays(n_units)
        starts, lengths = start.tolist(), length.tolist()
        cache = self._sentence_cache
        cache.clear()
        for sentence, unit in plan.held.items():
            a = starts[unit]
            cache[sentence] = [pairs[i] for i in flat[a : a + lengths[unit]].tolist()]
        # Gather the units' terms text by text (one index array for all).
        lens = length[plan.occurrences]
        ends = np.cumsum(lens)
        index = np.repeat(start[plan.occurrences] - (ends - lens), lens) + np.arange(
            int(ends[-1]) if ends.size else 0
        )
        bounds = np.concatenate(([0], np.cumsum(plan.per_text)))
        ends = np.concatenate(([0], ends))
        return TermSequences(
            [t for t, _ in pairs], flat[index], ends[bounds[1:]] - ends[bounds[:-1]]
        )


@dataclass(frozen=True)
class _WordPlan:
    batches: list[tuple[str, ...]]  # distinct Sudachi calls, in the order serial calls make them
    first_unit: list[int]  # per batch: the unit of its first text
    n_units: int  # units from batches (the cache's earlier sentences come after)
    occurrences: IntArray  # the units of each text's terms, text after text
    per_text: IntArray  # units per text
    held: dict[str, int]  # the sentence cache after the calls: sentence -> unit
    cached: list[Tagged]  # what the sentence cache held before


@dataclass(frozen=True)
class _Split:
    form: str
    parts: tuple[tuple[str, int], ...]
    part_forms: tuple[str, ...]


_Item = TypeVar("_Item", bound=Hashable)


@dataclass(frozen=True)
class _Packed(Generic[_Item]):
    """Lists of items as one table of distinct items plus item numbers: a worker's results cross
    to the parent as a few arrays instead of millions of small pickled objects."""

    table: list[_Item]
    numbers: array[int]
    lengths: array[int]

    @staticmethod
    def pack(lists: Iterable[list[_Item]]) -> _Packed[_Item]:
        number: dict[_Item, int] = {}
        numbers = array("l")
        lengths = array("l")
        for items in lists:
            numbers.extend([number.setdefault(item, len(number)) for item in items])
            lengths.append(len(items))
        return _Packed(list(number), numbers, lengths)


class _UnitResults:
    """Tagged terms of the plan's units, gathered from several packs (a later pack's result for
    a unit replaces an earlier one)."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, int], int] = {}
        self._parts: list[tuple[IntArray, IntArray, IntArray]] = []

    def add(self, units: IntArray, packed: _Packed[tuple[str, int]]) -> None:
        number = self.pairs
        renumber = np.fromiter(
            (number.setdefault(pair, len(number)) for pair in packed.table),
            dtype=np.int64,
            count=len(packed.table),
        )
        numbers = renumber[np.asarray(packed.numbers, dtype=np.int64)]
        self._parts.append((units, numbers, np.asarray(packed.lengths, dtype=np.int64)))

    def arrays(self, n_units: int) -> tuple[list[tuple[str, int]], IntArray, IntArray, IntArray]:
        """Distinct (term, kind) pairs, all pair numbers, and each unit's start and length."""
        start = np.zeros(n_units, dtype=np.int64)
        length = np.zeros(n_units, dtype=np.int64)
        offset = 0
        for units, numbers, lengths in self._parts:
            start[units] = offset + np.cumsum(lengths) - lengths
            length[units] = lengths
            offset += numbers.size
        flat = np.concatenate([numbers for _, numbers, _ in self._parts] or [_NO_INTS])
        return list(self.pairs), flat, start, length


@dataclass(frozen=True)
class _PieceResult:
    tags: _Packed[tuple[str, int]]  # per text of each batch, in order
    logs: list[list[str | _Split]]  # per batch


_NO_INTS: IntArray = np.zeros(0, dtype=np.int64)


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


# The sentence cache's two steps, shared by `tagged_words` and `_plan_words`, which must replay
# exactly what it does (which sentences each Sudachi call gets depends on it).
def _split_cached(sentences: list[str], cache: dict[str, V]) -> tuple[dict[str, V], list[str]]:
    """The distinct sentences the cache holds (with their entries) and those it lacks, in order."""
    found: dict[str, V] = {}
    missing: list[str] = []
    for sentence in dict.fromkeys(sentences):
        hit = cache.get(sentence)
        if hit is None:
            missing.append(sentence)
        else:
            found[sentence] = hit
    return found, missing


def _remember(cache: dict[str, V], fresh: dict[str, V]) -> None:
    """Add new entries; a cache that would grow past its bound starts again empty."""
    if len(cache) + len(fresh) > _CACHE_MAX_ENTRIES:
        cache.clear()
    cache.update(fresh)


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
    is_gram = starts_pair | alone
    at = np.flatnonzero(is_gram)
    codes = folded[at]
    two = starts_pair[at]
    codes[two] = (codes[two] << 21) | folded[at[two] + 1]
    grams_before = np.concatenate(([0], np.cumsum(is_gram)))
    bounds = grams_before[np.append(starts, is_gram.size)]
    return codes, bounds[1:] - bounds[:-1]


def _gram_name(code: int) -> str:
    return chr(code >> 21) + chr(code & 0x1FFFFF) if code >> 21 else chr(code)


class _GramNames:
    """Bigram number -> bigram."""

    def __getitem__(self, code: int, /) -> str:
        return _gram_name(code)


def gram_sequences(texts: Sequence[str]) -> TermSequences:
    """The character n-grams of many texts at once."""
    return coded_gram_sequences(*bigram_codes(texts))


def coded_gram_sequences(codes: IntArray, per_text: IntArray) -> TermSequences:
    """Character n-grams given as :func:`bigram_codes` numbers them (e.g. kept from earlier)."""
    return TermSequences(_GramNames(), codes, per_text)


def gram_names(codes: IntArray) -> list[str]:
    """The n-grams of :func:`bigram_codes` numbers."""
    return [_gram_name(code) for code in codes.tolist()]


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
