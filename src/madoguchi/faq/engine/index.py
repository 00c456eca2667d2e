"""FaqIndex: the per-tenant, in-memory FAQ search index.

Pipeline for a query (each step is measured in docs/faq-engine.md):
1. analysis: dialect rewrites, Sudachi content words (normalised, folded), character bigrams;
2. synonym expansion from the curated list (lower weight);
3. BM25F over words with weighted fields (question, alternative phrasings, keywords, answer, category);
4. BM25F over character bigrams (question-side fields, and the answer at half weight);
5. dense channel: cosine of chiVe average vectors (question side and answer), if ``ja-ginza`` is
   installed;
6. linear fusion: lexical scores scaled by their best score, plus the weighted cosines;
7. optional pseudo-relevance feedback (RM3, off by default: it did not help on residents' questions);
8. confidence: a small logistic model of the best hit's query coverage, its lead over the second
   hit and its vector cosine, read as the probability that the best hit answers the question.

Every statistic is kept per document or as a running sum, so ``upsert`` and ``remove`` touch one FAQ
and an index built by upserts ranks exactly like one built in one go.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import mmap
import pickle
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from madoguchi.core import forking
from madoguchi.core.japanese_analysis.analysis import (
    NOUN,
    PART,
    PIECES_PER_WORKER,
    PREDICATE,
    Analyzer,
    bigram_codes,
    coded_gram_sequences,
    gram_names,
    unique,
)
from madoguchi.core.japanese_analysis.lexicon import Lexicon, default_lexicon
from madoguchi.core.japanese_analysis.terms import TermSequences

from .analysis_cache import AnalysedEntry, AnalysisCache
from .bm25 import Bm25fIndex, FieldSpec, FloatArray
from .crosslingual import default_glossary, detect_language
from .dense import DenseChannel, Vector
from .documents import FaqDocument, SearchHit, SearchResult
from .sentence import (
    Matrix,
    SentenceChannel,
    SentenceEncoder,
    VectorCache,
    default_encoder,
    faq_texts,
    has_english,
)
from .vectors import WordVectors, default_vectors


@dataclass(frozen=True)
class EngineConfig:
    # Word BM25F: field weights and length normalisation.
    w_question: float = 1.0
    w_alt: float = 1.0
    w_keywords: float = 1.0
    w_answer: float = 0.7
    w_category: float = 0.2
    b_question: float = 0.75
    b_answer: float = 0.75
    k1: float = 1.2
    # Query term weights by kind (nouns weigh 1).
    predicate_weight: float = 1.0
    part_weight: float = 1.0
    # Character bigram channel (question-side fields weigh 1, the answer this much).
    use_chars: bool = True
    char_answer_weight: float = 0.5
    char_weight: float = 0.3
    # Curated synonyms and dialect rewrites.
    use_synonyms: bool = True
    synonym_weight: float = 0.5
    use_rewrites: bool = True
    # Dense channel (chiVe vectors from ja-ginza; skipped when the package is not installed).
    use_dense: bool = True
    dense_question_weight: float = 1.3
    dense_answer_weight: float = 0.5
    # Query words in the dense query: "all", "whole" (no compound parts), "terms" (with synonyms).
    dense_query_mode: str = "whole"
    # Word weight in the average: (log(2 + frequency rank) / log(table size)) ** power.
    dense_rank_power: float = 3.0
    # Sentence channels (multilingual sentence encoders shipped in packages; each skipped when its
    # package is not installed): cosine of the query with the FAQ's question (or its best
    # alternative phrasing) and with its question + the first characters of its answer.
    use_use: bool = True
    use_question_weight: float = 0.5
    use_qa_weight: float = 1.5
    # e5's cosines crowd into a narrow band (0.8-0.9), hence weights larger than USE's; it reads
    # a longer start of the answer than USE does (each chosen on the odd half).
    use_e5: bool = True
    e5_question_weight: float = 2.0
    e5_qa_weight: float = 9.0
    e5_answer_chars: int = 200
    sentence_answer_chars: int = 100
    # Score the sentence channels only on this many best FAQs by words and word vectors (0 =
    # all): the sentence matrix is the largest thing a query reads. On dev, 200 of 1,786 FAQs
    # (11 %) rank exactly as all do; 1,000 keeps that share at 10,000 FAQs.
    sentence_candidates: int = 1000
    # Questions with no Japanese in them (English, Chinese, Korean, Vietnamese, Portuguese): key
    # terms translated through the glossary feed the Japanese channels (at this weight), and the
    # sentence channels, which read the question itself, weigh this much more.
    use_glossary: bool = True
    foreign_lexical_weight: float = 1.0
    foreign_dense_weight: float = 0.5
    foreign_sentence_boost: float = 1.0
    # The sentence query is the question's vector plus this share of its translated terms' vector.
    foreign_translated_sentence: float = 0.6
    # Chinese questions: also search the question's own characters (shared kanji) by bigrams.
    foreign_keep_original: bool = True
    # Vector-space pseudo-relevance feedback (Rocchio) on the dense query.
    dense_feedback: float = 0.0
    dense_feedback_docs: int = 3
    # RM3 pseudo-relevance feedback.
    use_rm3: bool = False
    rm3_docs: int = 5
    rm3_terms: int = 10
    rm3_weight: float = 0.3
    # To answer, the estimated probability that the best hit is right must reach this …
    confidence_threshold: float = 0.6
    # … and the best FAQ must cover this share of the question's (rarity-weighted) words.
    min_coverage: float = 0.15
    # Only the start of an answer is analysed into words: it states the topic, and Sudachi time
    # grows with the text (0 = no limit).
    answer_max_chars: int = 0


# Confidence model coefficients (see FaqIndex._confidence), fitted for the default settings and
# the sentence channels present: coverage, margin, word-vector cosine, sentence cosine, sentence
# shortfall, bias. Without a sentence channel the earlier fit (three signals) applies.
_CONF_NO_SENTENCE = (0.97, 2.05, 0.34, 0.0, 0.0, -0.88)
_CONF: dict[tuple[str, ...], tuple[float, ...]] = {
    ("use", "e5"): (4.802, 2.453, -2.834, 3.661, -14.831, -2.357),
    ("use",): (4.305, 2.05, -1.798, 0.196, -10.096, -0.055),
}


@dataclass(frozen=True)
class _Mapped:
    """Where a matrix lies in a saved index file (after the pickle)."""

    offset: int
    shape: tuple[int, ...]
    dtype: str


def _aligned(n: int, alignment: int) -> int:
    return (n + alignment - 1) // alignment * alignment


@dataclass(frozen=True)
class _Scored:
    fused: FloatArray
    words: FloatArray
    dense: FloatArray | None
    word_q: dict[str, float]
    sentence: FloatArray | None = None
    sentence_query: tuple[tuple[SentenceChannel, Matrix], ...] = ()
    language: str = "ja"


@dataclass(frozen=True)
class _Prepared:
    """A FAQ's texts, folded (and rewritten) once: what goes to words and to n-grams."""

    words: tuple[str, ...]  # question, alt, keywords, answer (maybe cut), category
    chars: tuple[str, ...]  # question, alt, keywords, answer (when its n-grams count)


# Bump when the analysis code changes what terms a text gives: analysis caches of older versions
# are then not used.
ANALYSIS_VERSION = 1


@lru_cache(maxsize=1)
def _analyser_versions() -> tuple[str, ...]:
    found = []
    for package in ("sudachipy", "sudachidict_core"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} -")
    return tuple(found)


_NO_INTS: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
_NO_INT32: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
_NO_ROW: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)


def _joined(parts: list[npt.NDArray[Any]]) -> npt.NDArray[np.int64]:
    return np.concatenate(parts).astype(np.int64) if parts else _NO_INTS


def _split_fields(flat: list[str], lengths: npt.NDArray[Any]) -> list[list[str]]:
    out = []
    start = 0
    for n in lengths.tolist():
        out.append(flat[start : start + n])
        start += n
    return out


class FaqIndex:
    def __init__(
        self,
        config: EngineConfig | None = None,
        *,
        lexicon: Lexicon | None = None,
        analyzer: Analyzer | None = None,
        vectors: WordVectors | None = None,
        encoders: dict[str, SentenceEncoder | None] | None = None,
    ) -> None:
        self.config = c = config or EngineConfig()
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self.analyzer = analyzer or Analyzer(self.lexicon)
        self._words = Bm25fIndex(
            [
                FieldSpec("question", c.w_question, c.b_question),
                FieldSpec("alt", c.w_alt, c.b_question),
                FieldSpec("keywords", c.w_keywords, 0.0),
                FieldSpec("answer", c.w_answer, c.b_answer),
                FieldSpec("category", c.w_category, 0.0),
            ],
            k1=c.k1,
        )
        self._chars = Bm25fIndex(
            [
                FieldSpec("question", 1.0, c.b_question),
                FieldSpec("alt", 1.0, c.b_question),
                FieldSpec("keywords", 1.0, 0.0),
                FieldSpec("answer", c.char_answer_weight, c.b_answer),
            ],
            k1=c.k1,
        )
        self._slot_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._dead = 0
        self._docs: dict[str, FaqDocument] = {}
        self._synonyms = self._compile_synonyms()
        self._dense: DenseChannel | None = None
        if c.use_dense:
            vectors = vectors if vectors is not None else default_vectors()
            if vectors is not None:
                self._dense = DenseChannel(
                    vectors,
                    question_weight=c.dense_question_weight,
                    answer_weight=c.dense_answer_weight,
                    rank_power=c.dense_rank_power,
                )
        self._sentence: list[SentenceChannel] = []
        wanted = [
            ("use", c.use_use, c.use_question_weight, c.use_qa_weight, c.sentence_answer_chars),
            ("e5", c.use_e5, c.e5_question_weight, c.e5_qa_weight, c.e5_answer_chars),
        ]
        for name, on, wq, wqa, answer_chars in wanted:
            if not on:
                continue
            given = encoders or {}
            encoder = given[name] if name in given else default_encoder(name)
            if encoder is not None:
                self._sentence.append(
                    SentenceChannel(
                        encoder,
                        question_weight=wq,
                        qa_weight=wqa,
                        answer_chars=answer_chars,
                    )
                )
        self._analysis = AnalysisCache(self._analysis_signature())

    def _analysis_signature(self) -> str:
        """Everything besides its texts that a FAQ's terms and chiVe row depend on."""
        c = self.config
        lexicon = self.analyzer.lexicon
        parts: list[object] = [
            ANALYSIS_VERSION,
            _analyser_versions(),
            self.analyzer.split_compounds,
            lexicon.rewrites,
            sorted(lexicon.stop_lemmas),
            c.use_rewrites,
            c.answer_max_chars,
            c.use_chars,
            c.char_answer_weight > 0,
        ]
        dense = self._dense
        if dense is not None:
            rows = dense.vectors.rows
            parts += [
                rows.shape,
                float(rows[:4].astype(np.float64).sum()),
                dense.rank_power,
                dense.question_weight,
                dense.answer_weight,
            ]
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    @property
    def sentence_channels(self) -> tuple[str, ...]:
        return tuple(ch.name for ch in self._sentence)

    def sentence_nbytes(self) -> int:
        """Memory held by the sentence channels' vectors (matrices and text cache)."""
        return sum(ch.nbytes() for ch in self._sentence)

    def vector_caches(self) -> list[VectorCache]:
        return [ch.cache for ch in self._sentence]

    def adopt_vector_caches(self, caches: Iterable[VectorCache]) -> None:
        """Reuse sentence vectors encoded earlier (e.g. by the previous stored index)."""
        for cache in caches:
            for ch in self._sentence:
                ch.cache.merge(cache)

    @property
    def analysis_cache(self) -> AnalysisCache:
        """Each FAQ's analysed terms by a hash of its texts (kept with the stored index)."""
        return self._analysis

    def adopt_analysis_cache(self, cache: AnalysisCache | None) -> None:
        """Reuse FAQs' terms analysed earlier (e.g. by the previous stored index): a rebuild then
        analyses only new or edited FAQs. A cache made under other settings is ignored."""
        if cache is not None:
            self._analysis.merge(cache)

    def _encoders(self) -> dict[str, SentenceEncoder | None]:
        return {ch.name: ch.encoder for ch in self._sentence}

    @property
    def uses_dense(self) -> bool:
        return self._dense is not None

    # ----- content ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def get(self, doc_id: str) -> FaqDocument | None:
        return self._docs.get(doc_id)

    def documents(self) -> Iterable[FaqDocument]:
        return self._docs.values()

    def build(self, docs: Iterable[FaqDocument], *, parallel: bool = True) -> None:
        """Replace the whole content (bulk-loaded: much faster than upserting one by one).

        FAQs whose texts the analysis cache holds are not analysed again; the others are, in
        bulk, and on all cores (forked workers) only when they are many and ``parallel``."""
        dense = self._dense
        caches = self.vector_caches()
        analysis = self._analysis
        encoders = self._encoders()
        self.__init__(  # type: ignore[misc]
            self.config,
            lexicon=self.lexicon,
            analyzer=self.analyzer,
            vectors=dense.vectors if dense is not None else None,
            encoders=encoders,
        )
        self.adopt_vector_caches(caches)
        self.adopt_analysis_cache(analysis)
        unique_docs = list({doc.id: doc for doc in docs}.values())
        cache = self._analysis
        cache.unpack()
        keys = [cache.key(self._analysed_texts(doc)) for doc in unique_docs]
        # The FAQs to analyse: new texts, each once.
        first_at: dict[bytes, int] = {}
        for i, key in enumerate(keys):
            if key not in cache:
                first_at.setdefault(key, i)
        todo_at = list(first_at.values())
        slots = [self._new_slot(doc.id) for doc in unique_docs]
        forms = self.analyzer.forms
        for term, form in zip(cache.terms, cache.forms, strict=True):
            forms.setdefault(term, form)
        fresh_chars: dict[int, tuple[npt.NDArray[Any], npt.NDArray[Any]]] = {}

        def load_chars(chars: list[tuple[npt.NDArray[Any], npt.NDArray[Any]]]) -> None:
            # Every FAQ's n-grams are known once the new ones are counted: loaded while the
            # workers (if any) still run Sudachi.
            fresh_chars.update(zip(todo_at, chars, strict=True))
            if not self.config.use_chars:
                return
            codes: list[npt.NDArray[Any]] = []
            lengths: list[npt.NDArray[Any]] = []
            for i, key in enumerate(keys):
                entry = cache.get(key)
                code, length = (
                    fresh_chars[i] if entry is None else (entry.chars, entry.char_lengths)
                )
                codes.append(code)
                lengths.append(length)
            self._chars.bulk_load_sequences(
                slots, coded_gram_sequences(_joined(codes), _joined(lengths))
            )

        fresh, workers = self._analyse_many(
            [unique_docs[i] for i in todo_at], parallel=parallel, meanwhile=load_chars
        )
        # Entries of the new texts (their words as the cache's term numbers).
        new_words = dict(zip(todo_at, fresh, strict=True))
        word_parts: list[npt.NDArray[Any]] = []
        word_lengths: list[npt.NDArray[Any]] = []
        for i, key in enumerate(keys):
            entry = cache.get(key)
            if entry is None:
                numbers, lengths = new_words[i]
                code, char_lengths = fresh_chars[i]
                entry = AnalysedEntry(
                    numbers,
                    lengths,
                    code,
                    char_lengths,
                    _NO_ROW,
                )
                cache.put(key, entry)  # its chiVe row is added below
            word_parts.append(entry.words)
            word_lengths.append(entry.word_lengths)
        self._words.bulk_load_sequences(
            slots,
            TermSequences(cache.terms, _joined(word_parts), _joined(word_lengths)),
        )
        self._set_dense_cached(slots, keys, set(first_at), workers)
        self._set_sentence(slots, unique_docs)
        for doc in unique_docs:
            self._docs[doc.id] = doc
        cache.analysed += len(todo_at)
        cache.keep_only(keys)  # forget FAQs no longer here
        for ch in self._sentence:  # forget vectors of texts no FAQ has any more
            ch.cache.keep_only(t for doc in unique_docs for t in self._sentence_texts(ch, doc))

    def _analyse_many(
        self,
        docs: list[FaqDocument],
        *,
        parallel: bool,
        meanwhile: Callable[[list[tuple[npt.NDArray[Any], npt.NDArray[Any]]]], object],
    ) -> tuple[list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]], int]:
        """Word terms of many FAQs as numbers in the analysis cache's term table (fields one
        after another, with the fields' lengths), in bulk and on all cores when they are enough
        text for that to pay (never for a few edited FAQs); and the workers used. Their
        character n-gram codes (and the fields' lengths) go to ``meanwhile``, which runs while
        the workers do."""
        if not docs:
            meanwhile([])
            return [], 1
        sizes = [len(doc.question) + len(doc.answer) for doc in docs]
        workers = forking.usable_workers(sum(sizes)) if parallel else 1
        if workers > 1:
            pieces = forking.even_pieces(sizes, workers * PIECES_PER_WORKER)
            prepared = [
                p
                for part in forking.map_pieces(
                    lambda lo, hi: [self._prepare(doc) for doc in docs[lo:hi]], pieces, workers
                )
                for p in part
            ]
        else:
            prepared = [self._prepare(doc) for doc in docs]

        def count_chars() -> None:
            n_chars = len(prepared[0].chars)
            if not n_chars:
                meanwhile([(_NO_INTS, _NO_INT32)] * len(docs))
                return
            codes, per_text = bigram_codes([text for p in prepared for text in p.chars])
            char_lengths = per_text.reshape(-1, n_chars).astype(np.int32)
            ends = np.cumsum(char_lengths.sum(axis=1)).tolist()
            meanwhile(
                [
                    (codes[lo:hi], char_lengths[d])
                    for d, (lo, hi) in enumerate(itertools.pairwise([0, *ends]))
                ]
            )

        n_words = len(prepared[0].words)
        words = self.analyzer.corpus_words(
            [text for p in prepared for text in p.words], workers=workers, meanwhile=count_chars
        )
        word_lengths = words.lengths.reshape(-1, n_words).astype(np.int32)
        ends = np.cumsum(word_lengths.sum(axis=1)).tolist()
        # The terms as numbers in the analysis cache's table (new terms are added to it).
        used = np.unique(words.keys)
        remap = np.zeros(int(used[-1]) + 1 if used.size else 0, dtype=np.int64)
        names = words.names
        remap[used] = self._analysis.numbers([names[k] for k in used.tolist()], self.analyzer.forms)
        numbers = remap[words.keys].astype(np.int32)
        return [
            (numbers[lo:hi], word_lengths[d])
            for d, (lo, hi) in enumerate(itertools.pairwise([0, *ends]))
        ], workers

    def _set_dense_cached(
        self, slots: list[int], keys: list[bytes], new: set[bytes], workers: int
    ) -> None:
        """chiVe rows: kept ones from the cache, new ones computed (and kept)."""
        dense = self._dense
        if dense is None:
            return
        # Grow the tables as the calls one by one would (an edit later finds them ready).
        dense.reserve(slots, self._words.n_terms, self._form_of_term)
        cache = self._analysis
        kept = [(slot, key) for slot, key in zip(slots, keys, strict=True) if key not in new]
        if kept:
            rows = [cache.get(key).dense for _, key in kept]  # type: ignore[union-attr]
            dense.set_rows([slot for slot, _ in kept], np.stack(rows))
        todo = [(slot, key) for slot, key in zip(slots, keys, strict=True) if key in new]
        if not todo:
            return
        self._set_dense_many([slot for slot, _ in todo], workers)
        for slot, key in todo:
            entry = cache.get(key)
            assert entry is not None
            cache.put(key, replace(entry, dense=dense.get_rows([slot])[0].copy()))

    def _analysed_texts(self, doc: FaqDocument) -> tuple[str, ...]:
        """What a FAQ's terms are analysed from (the English texts only feed sentence vectors)."""
        return (
            doc.question,
            "\n".join(doc.alt_questions),
            "\n".join(doc.keywords),
            doc.answer,
            doc.category,
        )

    def upsert(self, doc: FaqDocument) -> None:
        """Add or replace one FAQ; only its own postings and the running sums change. Its terms
        come from the analysis cache when its texts are there, else it is analysed (and kept)."""
        cache = self._analysis
        key = cache.key(self._analysed_texts(doc))
        entry = cache.get(key)
        if entry is None:
            prepared = self._prepare(doc)
            a = self.analyzer
            word_lists = [a.words(text, prepared=True) for text in prepared.words]
            codes, per_text = (
                bigram_codes(list(prepared.chars)) if prepared.chars else (_NO_INTS, _NO_INTS)
            )
            entry = AnalysedEntry(
                cache.numbers([t for terms in word_lists for t in terms], a.forms).astype(np.int32),
                np.array([len(t) for t in word_lists], dtype=np.int32),
                codes,
                per_text.astype(np.int32),
                _NO_ROW,
            )
            cache.analysed += 1
            fresh = True
        else:
            fresh = False
            for number in np.unique(entry.words).tolist():
                self.analyzer.forms.setdefault(cache.terms[number], cache.forms[number])
        if doc.id in self._docs:
            self.remove(doc.id)
        slot = self._new_slot(doc.id)
        terms = cache.terms
        self._words.add(
            slot, _split_fields([terms[k] for k in entry.words.tolist()], entry.word_lengths)
        )
        if entry.char_lengths.size:
            self._chars.add(slot, _split_fields(gram_names(entry.chars), entry.char_lengths))
        if fresh or self._dense is None or entry.dense.size == 0:
            self._set_dense(slot)
            if self._dense is not None:
                entry = replace(entry, dense=self._dense.get_rows([slot])[0].copy())
        else:
            self._dense.reserve([slot], self._words.n_terms, self._form_of_term)
            self._dense.set_rows([slot], entry.dense[None, :])
        cache.put(key, entry)
        self._set_sentence([slot], [doc])
        self._docs[doc.id] = doc

    def remove(self, doc_id: str) -> bool:
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return False
        self._words.remove(slot)
        self._chars.remove(slot)
        if self._dense is not None:
            self._dense.clear(slot)
        for ch in self._sentence:
            ch.clear(slot)
        self._ids[slot] = None
        self._dead += 1
        del self._docs[doc_id]
        if self._dead > max(1000, len(self._docs)):
            # Slots are never reused; after many removals, repack by rebuilding (from the
            # analysis cache, and never forking: this runs wherever the removal does).
            self.build(list(self._docs.values()), parallel=False)
        return True

    def _new_slot(self, doc_id: str) -> int:
        slot = len(self._ids)
        self._ids.append(doc_id)
        self._slot_of[doc_id] = slot
        return slot

    def _prepare(self, doc: FaqDocument) -> _Prepared:
        a = self.analyzer
        c = self.config
        rw = c.use_rewrites
        question = a.prepare(doc.question, rewrite=rw)
        alt = a.prepare("\n".join(doc.alt_questions), rewrite=rw)
        keywords = a.prepare("\n".join(doc.keywords))
        answer = a.prepare(doc.answer)
        words_answer = answer[: c.answer_max_chars] if c.answer_max_chars > 0 else answer
        words = (question, alt, keywords, words_answer, a.prepare(doc.category))
        chars: tuple[str, ...] = ()
        if c.use_chars:
            # An empty text has no n-grams: the answer's are left out when they do not count.
            chars = (question, alt, keywords, answer if c.char_answer_weight > 0 else "")
        return _Prepared(words, chars)

    def _set_dense(self, slot: int) -> None:
        if self._dense is None:
            return
        entry = self._words.forward(slot)
        if entry is None:
            return
        term_ids, tf = entry
        self._dense.set_from_counts(
            slot,
            term_ids,
            tf[:, :3].sum(axis=1),
            tf[:, 3],
            self._words.n_terms,
            self._form_of_term,
        )

    def _sentence_texts(self, ch: SentenceChannel, doc: FaqDocument) -> list[str]:
        return faq_texts(
            doc.question,
            list(doc.alt_questions),
            doc.answer,
            ch.answer_chars,
            doc.question_en,
            doc.answer_en,
        )

    def _set_sentence(self, slots: list[int], docs: list[FaqDocument]) -> None:
        english = [has_english(doc.question_en, doc.answer_en) for doc in docs]
        for ch in self._sentence:
            ch.set_many(slots, [self._sentence_texts(ch, doc) for doc in docs], english)

    def _form_of_term(self, tid: int) -> str:
        name = self._words.term_name(tid)
        return self.analyzer.forms.get(name, name)

    def _set_dense_many(self, slots: list[int], workers: int) -> None:
        """:meth:`_set_dense` of every slot, in ``workers`` forked processes if more than one."""
        dense = self._dense
        if dense is None or workers <= 1:
            for slot in slots:
                self._set_dense(slot)
            return
        # Grow the tables as the calls one by one would (the workers inherit them).
        dense.reserve(slots, self._words.n_terms, self._form_of_term)

        def compute(lo: int, hi: int) -> Vector:
            for slot in slots[lo:hi]:
                self._set_dense(slot)
            return dense.get_rows(slots[lo:hi])

        pieces = forking.even_pieces([1] * len(slots), workers * PIECES_PER_WORKER)
        blocks = forking.map_pieces(compute, pieces, workers)
        dense.set_rows(slots, np.concatenate(blocks))

    # ----- persistence --------------------------------------------------------------------------
    def _mapped_holders(self) -> list[Any]:
        """Objects whose large arrays a stored index keeps outside the pickle."""
        holders: list[Any] = [self._words, self._chars, self._analysis]
        for ch in self._sentence:
            holders += [ch, ch.cache]
        if self._dense is not None:
            holders.append(self._dense)
        return holders

    @staticmethod
    def _arrays_of(holder: Any) -> dict[str, Any]:
        if hasattr(holder, "arrays_to_map"):
            return dict(holder.arrays_to_map())
        return {"_mixed": holder._mixed}  # sentence and dense channels

    def save(self, path: str | Path) -> None:
        """One file: the pickled index, then (page-aligned) its large arrays (postings, forward
        lists, dense and sentence vectors, the sentence-vector cache), which :meth:`load` maps
        instead of reading, so every worker process of a server shares one copy of them through
        the page cache."""
        # Keep only the analyses of the FAQs indexed now (edits leave their earlier texts').
        self._analysis.keep_only(
            self._analysis.key(self._analysed_texts(doc)) for doc in self._docs.values()
        )
        placed: list[tuple[Any, str, Any, npt.NDArray[Any]]] = []
        offset = 0
        try:
            for holder in self._mapped_holders():
                for attr, array in self._arrays_of(holder).items():
                    matrix = np.ascontiguousarray(array)
                    placed.append((holder, attr, holder.__dict__.get(attr), matrix))
                    setattr(holder, attr, _Mapped(offset, matrix.shape, matrix.dtype.str))
                    offset += _aligned(matrix.nbytes, 64)
            with open(path, "wb") as fh:
                pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
                base = _aligned(fh.tell(), mmap.ALLOCATIONGRANULARITY)
                for holder, attr, _old, matrix in placed:
                    fh.seek(base + getattr(holder, attr).offset)
                    fh.write(matrix.tobytes())
        finally:
            for holder, attr, old, _matrix in placed:
                if old is None:
                    holder.__dict__.pop(attr, None)
                else:
                    setattr(holder, attr, old)
            for holder in self._mapped_holders():
                if hasattr(holder, "packed_done"):
                    holder.packed_done()

    @staticmethod
    def load(path: str | Path) -> FaqIndex:
        # Only load files this application wrote itself: unpickling runs code.
        with open(path, "rb") as fh:
            index = pickle.load(fh)  # noqa: S301
            base = _aligned(fh.tell(), mmap.ALLOCATIONGRANULARITY)
        if not isinstance(index, FaqIndex):
            raise TypeError(f"{path} does not hold a FaqIndex")
        if "_analysis" not in index.__dict__:  # stored before the analysis cache
            index._analysis = AnalysisCache(index._analysis_signature())
        for holder in index._mapped_holders():
            for attr, mapped in list(holder.__dict__.items()):
                if not isinstance(mapped, _Mapped):
                    continue
                dtype = np.dtype(mapped.dtype)
                # Copy-on-write: shared pages until this process edits a row (an upsert).
                array = (
                    np.asarray(
                        np.memmap(
                            path, dtype=dtype, mode="c", offset=base + mapped.offset,
                            shape=mapped.shape,
                        )
                    )
                    if math.prod(mapped.shape)
                    else np.zeros(mapped.shape, dtype=dtype)
                )  # fmt: skip
                setattr(holder, attr, array)
            if hasattr(holder, "arrays_mapped"):
                holder.arrays_mapped()
        return index

    # ----- query analysis -----------------------------------------------------------------------
    def _compile_synonyms(self) -> list[list[tuple[str, ...]]]:
        groups: list[list[tuple[str, ...]]] = []
        self._synonym_keys: dict[str, list[int]] = {}
        if not self.config.use_synonyms:
            return groups
        for group in self.lexicon.synonym_groups:
            members = [tuple(unique(self.analyzer.words(m))) for m in group]
            members = [m for m in members if m]
            if len(members) >= 2:
                for m in members:
                    # A member can only match when its first term is in the query.
                    self._synonym_keys.setdefault(m[0], []).append(len(groups))
                groups.append(members)
        return groups

    def query_terms(
        self, query: str, tagged: list[tuple[str, int]] | None = None
    ) -> dict[str, float]:
        """Weighted word terms of a query (or of its ``tagged`` words), synonyms included."""
        c = self.config
        if tagged is None:
            tagged = self.analyzer.tagged_words(query, rewrite=c.use_rewrites)
        kind_weight = {NOUN: 1.0, PREDICATE: c.predicate_weight, PART: c.part_weight}
        weights: dict[str, float] = {}
        for term, kind in tagged:
            weights[term] = weights.get(term, 0.0) + kind_weight[kind]
        if self._synonyms:
            present = set(weights)
            candidates = sorted({g for t in present for g in self._synonym_keys.get(t, ())})
            for g in candidates:
                members = self._synonyms[g]
                if not any(all(t in present for t in m) for m in members):
                    continue
                for m in members:
                    for t in m:
                        if t not in weights:
                            weights[t] = c.synonym_weight
        return weights

    # ----- search -------------------------------------------------------------------------------
    def _lexical(
        self, word_q: dict[str, float], char_q: dict[str, float]
    ) -> tuple[FloatArray, FloatArray]:
        """Word and character BM25F, each scaled by its best score, linearly fused; also the raw
        word scores (for confidence)."""
        ws = self._words.score(word_q)
        wmax = float(ws.max()) if ws.size else 0.0
        fused = ws / wmax if wmax > 0 else ws
        if char_q and self.config.use_chars:
            cs = self._chars.score(char_q)
            cmax = float(cs.max()) if cs.size else 0.0
            lam = self.config.char_weight
            fused = (1.0 - lam) * fused
            if cmax > 0:
                fused += lam * cs / cmax
        return fused, ws

    def _rm3(self, scores: FloatArray, word_q: dict[str, float]) -> dict[str, float]:
        """RM3: mix the query with the field-weighted term distribution of the top FAQs."""
        c = self.config
        top = self._top_slots(scores, c.rm3_docs)
        total_score = float(sum(scores[s] for s in top))
        if not top or total_score <= 0:
            return word_q
        feedback: Counter[str] = Counter()
        for slot in top:
            local = self._words.doc_term_weights(slot)
            norm = sum(local.values()) or 1.0
            dw = scores[slot] / total_score
            for t, v in local.items():
                feedback[t] += dw * v / norm * self._words.idf(t)
        q_total = sum(word_q.values())
        expanded = {t: (1.0 - c.rm3_weight) * v for t, v in word_q.items()}
        best = feedback.most_common(c.rm3_terms)
        fb_total = sum(v for _, v in best) or 1.0
        for t, v in best:
            expanded[t] = expanded.get(t, 0.0) + c.rm3_weight * q_total * v / fb_total
        return expanded

    def _top_slots(self, scores: FloatArray, k: int) -> list[int]:
        n = scores.shape[0]
        if n == 0 or k <= 0:
            return []
        # Take a few extra candidates so ties are broken by document id, not by slot.
        k_eff = min(k + 8, n)
        cand = np.argpartition(-scores, k_eff - 1)[:k_eff] if k_eff < n else np.arange(n)
        ids = self._ids
        ranked = sorted(
            (int(s) for s in cand if scores[s] > 0 and ids[int(s)] is not None),
            key=lambda s: (-scores[s], ids[s]),
        )
        return ranked[:k]

    def _score_all(self, query: str) -> _Scored:
        c = self.config
        language = detect_language(query)
        original = query
        # The sentence encoders work on their own threads while the words are scored.
        sentence_vectors = [ch.query_later(original) for ch in self._sentence]
        if language != "ja":
            terms = default_glossary().translate(query, language) if c.use_glossary else []
            query = "、".join(terms)
            if c.foreign_keep_original and language == "zh":
                query = f"{query}。{original}" if query else original
        # One Sudachi pass serves the word and the word-vector channels.
        tagged = self.analyzer.tagged_words(query, rewrite=c.use_rewrites)
        word_q = self.query_terms(query, tagged)
        char_q: dict[str, float] = {}
        if c.use_chars:
            for g in self.analyzer.char_ngrams(query, rewrite=c.use_rewrites):
                char_q[g] = char_q.get(g, 0.0) + 1.0
        lexical, raw_words = self._lexical(word_q, char_q)
        if c.use_rm3 and word_q:
            lexical, _ = self._lexical(self._rm3(lexical, word_q), char_q)
        dense: FloatArray | None = None
        if self._dense is not None:
            forms = self.analyzer.forms
            if c.dense_query_mode == "terms":
                bag = list(word_q.items())
            else:
                keep_parts = c.dense_query_mode == "all"
                bag = [(t, 1.0) for t, kind in tagged if keep_parts or kind != PART]
            qvec = self._dense.embed((forms.get(t, t), w) for t, w in bag)
            dense = self._dense.scores(qvec, lexical.shape[0])
            if c.dense_feedback > 0 and qvec.any():
                top = self._top_slots(lexical + dense, c.dense_feedback_docs)
                qvec = self._dense.feedback(qvec, top, c.dense_feedback)
                dense = self._dense.scores(qvec, lexical.shape[0])
        fused = lexical
        if dense is not None:
            # Translated glossary terms make a noisier word-vector query than a Japanese question.
            fused = fused + (dense if language == "ja" else c.foreign_dense_weight * dense)
        if language != "ja":
            fused = c.foreign_lexical_weight * fused
        sentence: FloatArray | None = None
        queries: list[tuple[SentenceChannel, Matrix]] = []
        candidates = None
        n_cand = c.sentence_candidates
        # Only when words and word vectors found enough: a question they do not read (another
        # language, unknown words) is scored on every FAQ by the sentence channels.
        if self._sentence and language == "ja" and 0 < n_cand < int(np.count_nonzero(fused > 0)):
            candidates = np.argpartition(-fused, n_cand - 1)[:n_cand]
        for ch, vector in zip(self._sentence, sentence_vectors, strict=True):
            qv = vector()
            if language != "ja" and query and c.foreign_translated_sentence > 0:
                mixed = qv + c.foreign_translated_sentence * ch.embed_query(query)
                qv = (mixed / max(float(np.linalg.norm(mixed)), 1e-9)).astype(np.float32)
            queries.append((ch, qv))
            part = ch.scores(qv, lexical.shape[0], candidates)
            sentence = part if sentence is None else sentence + part
        if sentence is not None:
            fused = fused + (sentence if language == "ja" else c.foreign_sentence_boost * sentence)
        return _Scored(fused, raw_words, dense, word_q, sentence, tuple(queries), language)

    def search(self, query: str, k: int = 10) -> SearchResult:
        scored = self._score_all(query)
        top = self._top_slots(scored.fused, max(k, 2))
        hits = tuple(SearchHit(str(self._ids[s]), float(scored.fused[s])) for s in top[:k])
        confidence, coverage = self._confidence(scored, top)
        return SearchResult(
            query=query,
            hits=hits,
            confidence=confidence,
            confident=confidence >= self.config.confidence_threshold
            and coverage >= self.config.min_coverage,
        )

    def _confidence(self, scored: _Scored, top: list[int]) -> tuple[float, float]:
        """Estimated probability that the best hit answers the question, and its coverage.

        A logistic model over four signals, fitted once on half of the development questions
        (odd ids) and checked on the other half (see docs/faq-engine.md):
        - coverage: the best FAQ's word BM25F score relative to the query's own maximum, in which
          a query word no FAQ contains counts as a rare word missing from every FAQ;
        - the margin between the best and the second-best fused score (a clear winner);
        - the best FAQ's word-vector cosine;
        - the best FAQ's sentence cosine (mean over the sentence channels; 0 without them);
        - how far the best FAQ's sentence score falls short of the best sentence score (the
          channels disagree: 子どもが生まれたら matches 子ども in a nursery FAQ's words, while the
          sentence channel prefers the FAQ about what to do when expecting a child).
        """
        features = self.confidence_features(scored, top)
        if features is None:
            return 0.0, 0.0
        coef = _CONF.get(self.sentence_channels, _CONF_NO_SENTENCE)
        z = coef[-1] + sum(w * x for w, x in zip(coef, features, strict=False))
        coverage = features[0]
        return 1.0 / (1.0 + math.exp(-z)), coverage

    def confidence_features(
        self, scored: _Scored, top: list[int]
    ) -> tuple[float, float, float, float, float] | None:
        """(coverage, margin, word-vector cosine, sentence cosine, sentence shortfall) of the best
        hit; the shortfall is how much lower its sentence score is than the best sentence score of
        any FAQ (0 when the channels agree on the best FAQ)."""
        if not top or (not scored.word_q and not scored.sentence_query):
            return None
        best = top[0]
        words = self._words
        unseen_idf = math.log(1.0 + (words.n_docs + 0.5) / 0.5)
        ceiling = sum(
            w * (words.idf(t) if words.df(t) else unseen_idf) * (words.k1 + 1.0)
            for t, w in scored.word_q.items()
        )
        coverage = float(scored.words[best]) / ceiling if ceiling > 0 else 0.0
        second = float(scored.fused[top[1]]) if len(top) > 1 else 0.0
        margin = float(scored.fused[best]) - second
        cosine = 0.0
        if scored.dense is not None:
            c = self.config
            cosine = float(scored.dense[best]) / (c.dense_question_weight + c.dense_answer_weight)
        sentence = shortfall = 0.0
        if scored.sentence_query and scored.sentence is not None:
            sentence = sum(ch.question_cosine(qv, best) for ch, qv in scored.sentence_query) / len(
                scored.sentence_query
            )
            total = sum(ch.question_weight + ch.qa_weight for ch, _ in scored.sentence_query)
            shortfall = (float(scored.sentence.max()) - float(scored.sentence[best])) / total
        return coverage, margin, cosine, sentence, shortfall

    def with_config(self, **changes: object) -> FaqIndex:
        """A new empty index with changed settings (used by evaluation sweeps)."""
        return FaqIndex(
            replace(self.config, **changes),  # type: ignore[arg-type]
            lexicon=self.lexicon,
            analyzer=self.analyzer,
            vectors=self._dense.vectors if self._dense is not None else None,
            encoders=self._encoders(),
        )
