"""Ranked procedure search with the Japanese analysis the FAQ engine uses.

Residents type what happened to them (子どもが生まれた, 引っ越しをする, 住民票がほしい), rarely a
procedure's name. Each procedure is a small document of fields: its name, summary, its own
keywords and the names and keywords of the life events it belongs to. Query and fields go
through the same analysis (Sudachi normalised forms, so 引越し = 引っ越し and 子ども = 子供; kana
and width folding; the curated synonyms and dialect rewrites), and procedures are ranked by
BM25F with a weight per field. A character-bigram channel catches what the analyser splits
differently on each side (unknown words, typos), and a channel of reading bigrams matches kana
spellings with kanji ones (いんかんしょうめい = 印鑑証明).

A procedure is a hit when a query word matches one of its fields, or when most of the query's
character or reading bigrams do; otherwise the search has no hit and the page offers the FAQ and the desk.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from madoguchi.core.japanese_analysis import NOUN, PART, PREDICATE, Analyzer, default_lexicon
from madoguchi.core.japanese_analysis.readings import reading_bigrams
from madoguchi.core.japanese_analysis.synonyms import SynonymExpander

# Field weights: the name says most; the procedure's own keywords and its life events say what
# residents call it; the summary adds context.
FIELD_WEIGHTS: dict[str, float] = {
    "name": 3.0,
    "keywords": 2.0,
    "life_events": 1.5,
    "summary": 1.0,
}
KIND_WEIGHTS = {NOUN: 1.0, PREDICATE: 0.6, PART: 0.5}
K1 = 1.2
B = 0.5
# The character channel adds to the word score at this share of its own best score.
CHAR_SHARE = 0.3
# Share of the query's distinct bigrams a procedure must contain to be a hit on characters alone.
CHAR_HIT_COVERAGE = 0.6
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class SearchDocument:
    key: int
    fields: tuple[tuple[str, str], ...]  # (field name in FIELD_WEIGHTS, text)


_lock = threading.Lock()
_analysis: tuple[Analyzer, SynonymExpander] | None = None


def _analyzer() -> tuple[Analyzer, SynonymExpander]:
    global _analysis
    with _lock:
        if _analysis is None:
            analyzer = Analyzer(default_lexicon())
            _analysis = (analyzer, SynonymExpander(analyzer))
        return _analysis


class _Channel:
    """BM25F over one kind of term (words or character bigrams)."""

    def __init__(self, docs: list[dict[str, Counter[str]]]) -> None:
        self.docs = docs
        n = len(docs)
        self.avg_len = {
            f: (sum(sum(d.get(f, Counter()).values()) for d in docs) / n if n else 0.0) or 1.0
            for f in FIELD_WEIGHTS
        }
        df: Counter[str] = Counter()
        for d in docs:
            df.update({t for c in d.values() for t in c})
        self.idf = {t: math.log(1 + (n - k + 0.5) / (k + 0.5)) for t, k in df.items()}

    def scores(self, query: dict[str, float]) -> list[float]:
        out = []
        for d in self.docs:
            total = 0.0
            for term, q_weight in query.items():
                idf = self.idf.get(term)
                if idf is None:
                    continue
                tf = 0.0
                for f, counts in d.items():
                    c = counts.get(term)
                    if c:
                        norm = 1 - B + B * sum(counts.values()) / self.avg_len[f]
                        tf += FIELD_WEIGHTS[f] * c / norm
                if tf:
                    total += q_weight * idf * tf / (K1 + tf)
            out.append(total)
        return out


class ProcedureRanker:
    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        analyzer, _ = _analyzer()
        self.keys = [d.key for d in documents]
        words: list[dict[str, Counter[str]]] = []
        grams: list[dict[str, Counter[str]]] = []
        readings: list[dict[str, Counter[str]]] = []
        self._gram_sets: list[set[str]] = []
        self._reading_sets: list[set[str]] = []
        for doc in documents:
            w: dict[str, Counter[str]] = {}
            g: dict[str, Counter[str]] = {}
            r: dict[str, Counter[str]] = {}
            for field, text in doc.fields:
                if field not in FIELD_WEIGHTS or not text:
                    continue
                w.setdefault(field, Counter()).update(analyzer.words(text))
                g.setdefault(field, Counter()).update(analyzer.char_ngrams(text))
                # Keywords are word lists: read each word alone (no pairs across two words).
                for piece in text.split() if field == "keywords" else [text]:
                    r.setdefault(field, Counter()).update(reading_bigrams(analyzer, piece))
            words.append(w)
            grams.append(g)
            readings.append(r)
            self._gram_sets.append({t for c in g.values() for t in c})
            self._reading_sets.append({t for c in r.values() for t in c})
        self.words = _Channel(words)
        self.grams = _Channel(grams)
        self.readings = _Channel(readings)

    def rank(self, query: str) -> list[tuple[int, float]]:
        """(key, score) of the procedures that match ``query``, best first."""
        analyzer, synonyms = _analyzer()
        query = query[:MAX_QUERY_CHARS]
        weights: dict[str, float] = {}
        for term, kind in analyzer.tagged_words(query, rewrite=True):
            weights[term] = weights.get(term, 0.0) + KIND_WEIGHTS[kind]
        weights = synonyms.expand(weights)
        query_grams = set(analyzer.char_ngrams(query, rewrite=True))
        word_scores = self.words.scores(weights)
        query_readings = set(reading_bigrams(analyzer, query))
        gram_scores = self.grams.scores(dict.fromkeys(query_grams, 1.0))
        reading_scores = self.readings.scores(dict.fromkeys(query_readings, 1.0))
        best_gram = max(gram_scores, default=0.0) or 1.0
        best_reading = max(reading_scores, default=0.0) or 1.0
        ranked = []
        for i, key in enumerate(self.keys):
            coverage = max(
                _coverage(query_grams, self._gram_sets[i]),
                _coverage(query_readings, self._reading_sets[i]),
            )
            if word_scores[i] <= 0 and coverage < CHAR_HIT_COVERAGE:
                continue
            score = (
                word_scores[i]
                + CHAR_SHARE * gram_scores[i] / best_gram
                + CHAR_SHARE * reading_scores[i] / best_reading
            )
            ranked.append((key, score))
        ranked.sort(key=lambda pair: (-pair[1], self.keys.index(pair[0])))
        return ranked


def _coverage(query: set[str], document: set[str]) -> float:
    return len(query & document) / len(query) if query else 0.0


@lru_cache(maxsize=64)
def ranker_for(documents: tuple[SearchDocument, ...]) -> ProcedureRanker:
    """A ranker per catalogue content (a changed procedure or life event makes a new one)."""
    return ProcedureRanker(documents)
