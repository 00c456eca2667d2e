"""Dense channel: each FAQ as a weighted average of chiVe word vectors.

A resident's words and the FAQ's words often differ but mean nearly the same (蜂 / スズメバチ,
引っ越す / 転居). Word vectors put them close, so the cosine between the query's average vector and
the FAQ's gives credit where BM25 sees no shared word. A FAQ has two unit vectors, its question side
(question, phrasings, keywords) and its answer; they are stored pre-mixed with the fusion weights
(``wq * question + wa * answer``) so a query costs one matrix-vector product.

Word weights are fixed, not corpus statistics: the vector table is ordered by word frequency
(spaCy prunes from the end), so a word's row number is a frequency rank and ``log(2 + row)`` plays the
role of IDF (raised to a power: 3 measured best, rarer words dominate). A FAQ's vectors therefore
depend on that FAQ alone and an upsert touches one row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from .vectors import WordVectors, default_vectors

Vector = npt.NDArray[np.float32]


def _unit(vec: Vector) -> Vector:
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else vec


def _common_direction(rows: Vector) -> Vector:
    """Mean direction of the whole word table: every average of word vectors leans towards it,
    which makes unrelated texts look similar. Removing it (as in SIF, Arora et al. 2017) sharpens
    the cosines. It depends on the table only, never on the FAQs."""
    return _unit(rows.mean(axis=0).astype(np.float32))


class DenseChannel:
    def __init__(
        self,
        vectors: WordVectors,
        *,
        question_weight: float,
        answer_weight: float,
        rank_power: float = 3.0,
    ) -> None:
        self.vectors = vectors
        self.rank_power = rank_power
        self.question_weight = question_weight
        self.answer_weight = answer_weight
        self._dim = int(vectors.rows.shape[1])
        self._common = _common_direction(vectors.rows)
        self._log_rows = math.log(int(vectors.rows.shape[0]) + 2)
        self._mixed: npt.NDArray[np.float32] = np.zeros((0, self._dim), dtype=np.float32)
        # word form -> (row, weight) or None when the word has no vector
        self._lookup: dict[str, tuple[int, float] | None] = {}
        # index term id -> vector row (-1: none) and weight, filled as term ids appear
        self._term_rows: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._term_weights: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)

    # The 24 MB vector table is shared by every index: reload it instead of pickling it.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["vectors"] = None
        state["_lookup"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        vectors = default_vectors()
        if vectors is None:
            raise RuntimeError("this index uses word vectors: install the ja-ginza package")
        self.vectors = vectors

    def _word(self, form: str) -> tuple[int, float] | None:
        try:
            return self._lookup[form]
        except KeyError:
            pass
        if len(self._lookup) > 300_000:
            self._lookup.clear()
        row = self.vectors.row(form)
        entry = (
            None if row is None else (row, (math.log(2 + row) / self._log_rows) ** self.rank_power)
        )
        self._lookup[form] = entry
        return entry

    def embed(self, weighted_forms: Iterable[tuple[str, float]]) -> Vector:
        """Unit vector of a bag of (Sudachi normal form, weight); zero if no word is known."""
        rows: list[int] = []
        weights: list[float] = []
        lookup = self._lookup
        for form, w in weighted_forms:
            entry = lookup[form] if form in lookup else self._word(form)
            if entry is not None:
                rows.append(entry[0])
                weights.append(w * entry[1])
        if not rows:
            return np.zeros(self._dim, dtype=np.float32)
        return self._finish(
            np.einsum("i,ij->j", np.asarray(weights, dtype=np.float32), self.vectors.rows[rows])
        )

    def _finish(self, vec: Vector) -> Vector:
        """Remove the common direction and scale to unit length (zero stays zero)."""
        if not vec.any():
            return vec
        return _unit(vec - float(vec @ self._common) * self._common)

    def _ensure_capacity(self, slot: int) -> None:
        if slot < self._mixed.shape[0]:
            return
        cap = max(16, self._mixed.shape[0] * 2, slot + 1)
        grown = np.zeros((cap, self._dim), dtype=np.float32)
        grown[: self._mixed.shape[0]] = self._mixed
        self._mixed = grown

    def _term_table(self, n_terms: int, name_of: Callable[[int], str]) -> None:
        """Extend the term id -> (vector row, weight) table to ``n_terms`` ids."""
        have = self._term_rows.size
        if have >= n_terms:
            return
        rows = np.full(n_terms, -1, dtype=np.int64)
        weights = np.zeros(n_terms, dtype=np.float32)
        rows[:have] = self._term_rows
        weights[:have] = self._term_weights
        for tid in range(have, n_terms):
            entry = self._word(name_of(tid))
            if entry is not None:
                rows[tid], weights[tid] = entry
        self._term_rows, self._term_weights = rows, weights

    def set_from_counts(
        self,
        slot: int,
        term_ids: npt.NDArray[np.int64],
        question_tf: npt.NDArray[np.float32],
        answer_tf: npt.NDArray[np.float32],
        n_terms: int,
        name_of: Callable[[int], str],
    ) -> None:
        """Store a FAQ's vectors from its term ids and term frequencies (question side: tf,
        answer: 1 + log tf)."""
        self._term_table(n_terms, name_of)
        self._ensure_capacity(slot)
        rows = self._term_rows[term_ids]
        base = self._term_weights[term_ids]
        known = rows >= 0
        q_w = np.where(known, question_tf * base, 0.0)
        a_w = np.where(
            known & (answer_tf > 0), (1.0 + np.log(np.maximum(answer_tf, 1.0))) * base, 0.0
        )
        matrix = self.vectors.rows[np.where(known, rows, 0)]
        self._mixed[slot] = self.question_weight * self._finish(
            np.einsum("i,ij->j", q_w.astype(np.float32), matrix)
        ) + self.answer_weight * self._finish(np.einsum("i,ij->j", a_w.astype(np.float32), matrix))

    def reserve(self, slots: Iterable[int], n_terms: int, name_of: Callable[[int], str]) -> None:
        """Grow the tables for these slots and term ids as :meth:`set_from_counts` one by one
        would (before computing rows elsewhere: see :meth:`set_rows`)."""
        self._term_table(n_terms, name_of)
        for slot in slots:
            self._ensure_capacity(slot)

    def get_rows(self, slots: list[int]) -> Vector:
        """The stored (mixed) vectors of these slots, as one matrix."""
        return self._mixed[slots]

    def set_rows(self, slots: list[int], rows: Vector) -> None:
        """Store vectors :meth:`set_from_counts` computed in another process (after
        :meth:`reserve`)."""
        self._mixed[slots] = rows

    def feedback(self, query: Vector, slots: list[int], weight: float) -> Vector:
        """Rocchio in vector space: move the query towards the top FAQs' vectors."""
        if not slots or weight <= 0:
            return query
        centroid = self._mixed[slots].mean(axis=0)
        return _unit((query + weight * _unit(centroid)).astype(np.float32))

    def clear(self, slot: int) -> None:
        if slot < self._mixed.shape[0]:
            self._mixed[slot] = 0.0

    def scores(self, query: Vector, capacity: int) -> npt.NDArray[np.float64]:
        """Weighted cosines of the query with every FAQ (0 for empty slots)."""
        out = np.zeros(capacity)
        n = min(capacity, self._mixed.shape[0])
        if n and query.any():
            # einsum rather than BLAS: a BLAS call may wake its thread pool, which costs tens of
            # milliseconds now and then on a busy two-core machine (seen as p99 spikes).
            out[:n] = np.einsum("ij,j->i", self._mixed[:n], query)
        return out
