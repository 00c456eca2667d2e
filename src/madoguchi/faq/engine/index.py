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

import math
import mmap
import pickle
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
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
    gram_sequences,
    unique,
)
from madoguchi.core.japanese_analysis.lexicon import Lexicon, default_lexicon

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
    use_e5: bool = False
    e5_question_weight: float = 1.0
    e5_qa_weight: float = 2.0
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


# Confidence model coefficients (see FaqIndex._confidence), fitted for the default settings:
# coverage, margin, word-vector cosine, sentence cosine, sentence shortfall, bias. Without a sentence channel the
# earlier fit (three signals) applies.
_CONF_NO_SENTENCE = (0.97, 2.05, 0.34, 0.0, 0.0, -0.88)
_CONF = (4.305, 2.05, -1.798, 0.196, -10.096, -0.055)


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
class _Analysed:
    words: tuple[list[str], ...]
    chars: tuple[list[str], ...]


@dataclass(frozen=True)
class _Prepared:
    """A FAQ's texts, folded (and rewritten) once: what goes to words and to n-grams."""

    words: tuple[str, ...]  # question, alt, keywords, answer (maybe cut), category
    chars: tuple[str, ...]  # question, alt, keywords, answer (when its n-grams count)


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
            ("use", c.use_use, c.use_question_weight, c.use_qa_weight),
            ("e5", c.use_e5, c.e5_question_weight, c.e5_qa_weight),
        ]
        for name, on, wq, wqa in wanted:
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
                        answer_chars=c.sentence_answer_chars,
                    )
                )

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

    def build(self, docs: Iterable[FaqDocument]) -> None:
        """Replace the whole content (bulk-loaded: much faster than upserting one by one)."""
        dense = self._dense
        caches = self.vector_caches()
        encoders = self._encoders()
        self.__init__(  # type: ignore[misc]
            self.config,
            lexicon=self.lexicon,
            analyzer=self.analyzer,
            vectors=dense.vectors if dense is not None else None,
            encoders=encoders,
        )
        self.adopt_vector_caches(caches)
        unique_docs = list({doc.id: doc for doc in docs}.values())
        # The same terms and vectors as one upsert each would give, computed in bulk and, for a
        # large corpus, on all cores (forked workers).
        sizes = [len(doc.question) + len(doc.answer) for doc in unique_docs]
        workers = forking.usable_workers(sum(sizes))
        pieces = forking.even_pieces(sizes, workers * PIECES_PER_WORKER)
        prepared = [
            p
            for part in forking.map_pieces(
                lambda lo, hi: [self._prepare(doc) for doc in unique_docs[lo:hi]], pieces, workers
            )
            for p in part
        ]
        slots = [self._new_slot(doc.id) for doc in unique_docs]

        def load_chars() -> None:  # while the workers run Sudachi
            if self.config.use_chars:
                self._chars.bulk_load_sequences(
                    slots, gram_sequences([text for p in prepared for text in p.chars])
                )

        words = self.analyzer.corpus_words(
            [text for p in prepared for text in p.words], workers=workers, meanwhile=load_chars
        )
        self._words.bulk_load_sequences(slots, words)
        self._set_dense_many(slots, workers)
        self._set_sentence(slots, unique_docs)
        for doc in unique_docs:
            self._docs[doc.id] = doc
        for ch in self._sentence:  # forget vectors of texts no FAQ has any more
            ch.cache.keep_only(t for doc in unique_docs for t in self._sentence_texts(ch, doc))

    def upsert(self, doc: FaqDocument) -> None:
        """Add or replace one FAQ; only its own postings and the running sums change."""
        parts = self._analyse(doc)
        if doc.id in self._docs:
            self.remove(doc.id)
        slot = self._new_slot(doc.id)
        self._words.add(slot, parts.words)
        if parts.chars:
            self._chars.add(slot, parts.chars)
        self._set_dense(slot)
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
            # Slots are never reused; after many removals, repack by rebuilding.
            self.build(list(self._docs.values()))
        return True

    def _new_slot(self, doc_id: str) -> int:
        slot = len(self._ids)
        self._ids.append(doc_id)
        self._slot_of[doc_id] = slot
        return slot

    def _analyse(self, doc: FaqDocument) -> _Analysed:
        return self._analyse_prepared(self._prepare(doc))

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

    def _analyse_prepared(self, prepared: _Prepared) -> _Analysed:
        a = self.analyzer
        words = tuple(a.words(text, prepared=True) for text in prepared.words)
        chars = tuple(a.char_ngrams(text, prepared=True) for text in prepared.chars)
        return _Analysed(words, chars)

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
        holders: list[Any] = [self._words, self._chars]
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
        for ch in self._sentence:
            qv = ch.embed_query(original)
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
        coef = _CONF if self._sentence else _CONF_NO_SENTENCE
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
