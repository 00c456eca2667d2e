"""An incremental BM25F index over a few fields.

Storage is split like a small search engine's segments:
- a *main* segment, built in bulk with numpy by :meth:`Bm25fIndex.bulk_load` (term-major arrays:
  ``ptr`` / ``slots`` / ``tf``), fast to build and to scan;
- a *delta* segment, ``{term: {slot: [tf per field]}}``, for documents added one at a time later;
- a per-document forward list (term ids and their tf per field), so removing a document updates
  document frequencies and field lengths exactly; a removed document of the main segment is masked
  out rather than rewritten.

Document frequencies, field lengths and their averages are running values, so an index built by
upserts scores exactly like one built in one go. Slots are never reused (the owner compacts by
rebuilding after many removals).

BM25F (Robertson & Zaragoza 2009): per field, the term frequency is divided by the field's length
normalisation and multiplied by the field's weight; the weighted sum is then saturated once with k1.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from madoguchi.core.japanese_analysis.terms import TermSequences

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    weight: float
    b: float = 0.75


class Bm25fIndex:
    def __init__(self, fields: Sequence[FieldSpec], *, k1: float = 1.2) -> None:
        self.fields = tuple(fields)
        self.k1 = k1
        self._n_fields = len(self.fields)
        self._term_id: dict[str, int] = {}
        self._names: list[str] = []
        self._df: list[int] = []
        self._capacity = 0
        self._lengths: FloatArray = np.zeros((self._n_fields, 0))
        self._length_sums = np.zeros(self._n_fields)
        self._alive = np.zeros(0, dtype=bool)
        self._n_docs = 0
        # main segment
        self._main_ptr: IntArray = np.zeros(1, dtype=np.int64)
        self._main_slots: IntArray = np.zeros(0, dtype=np.int64)
        self._main_tf: npt.NDArray[np.float32] = np.zeros((0, self._n_fields), dtype=np.float32)
        # delta segment
        self._delta: dict[int, dict[int, list[float]]] = {}
        self._compiled: dict[int, tuple[IntArray, FloatArray]] = {}
        # forward lists: slot -> (sorted unique term ids, tf per field)
        self._forward: dict[int, tuple[IntArray, npt.NDArray[np.float32]]] = {}
        self._norm: FloatArray | None = None

    # ----- writes -------------------------------------------------------------------------------
    def _ensure_capacity(self, slot: int) -> None:
        if slot < self._capacity:
            return
        new_cap = max(16, self._capacity * 2, slot + 1)
        lengths = np.zeros((self._n_fields, new_cap))
        lengths[:, : self._capacity] = self._lengths
        alive = np.zeros(new_cap, dtype=bool)
        alive[: self._capacity] = self._alive
        self._lengths, self._alive, self._capacity = lengths, alive, new_cap

    def _ids_for(self, terms: Sequence[str]) -> list[int]:
        table = self._term_id
        ids: list[int | None] = list(map(table.get, terms))
        if None in ids:
            # Give new terms ids (a loop over the unknown terms only), then map again.
            for term in dict.fromkeys(
                itertools.compress(terms, map(operator.is_, ids, itertools.repeat(None)))
            ):
                table[term] = len(self._df)
                self._df.append(0)
                self._names.append(term)
            ids = list(map(table.__getitem__, terms))
        return ids  # type: ignore[return-value]

    def _register(self, slot: int, field_terms: Sequence[Sequence[str]]) -> tuple[IntArray, ...]:
        """Lengths, liveness and per-field term ids of a new document."""
        if slot < self._capacity and self._alive[slot]:
            raise ValueError(f"slot {slot} is in use")
        self._ensure_capacity(slot)
        per_field = []
        for f, terms in enumerate(field_terms):
            self._lengths[f, slot] = len(terms)
            self._length_sums[f] += len(terms)
            per_field.append(np.asarray(self._ids_for(terms), dtype=np.int64))
        self._alive[slot] = True
        self._n_docs += 1
        self._norm = None
        return tuple(per_field)

    def _forward_of(
        self, per_field: Sequence[IntArray]
    ) -> tuple[IntArray, npt.NDArray[np.float32]]:
        nonempty = [ids for ids in per_field if ids.size]
        if not nonempty:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self._n_fields), dtype=np.float32)
        uniq = np.unique(np.concatenate(nonempty))
        tf = np.zeros((uniq.size, self._n_fields), dtype=np.float32)
        for f, ids in enumerate(per_field):
            if ids.size:
                u, counts = np.unique(ids, return_counts=True)
                tf[np.searchsorted(uniq, u), f] = counts
        return uniq, tf

    def bulk_load(self, docs: Sequence[tuple[int, Sequence[Sequence[str]]]]) -> None:
        """Index many documents at once into the main segment (the index must be empty);
        ``docs`` are (slot, terms of each field) as for :meth:`add`."""
        n_fields = self._n_fields
        self.bulk_load_sequences(
            [slot for slot, _ in docs],
            TermSequences.from_lists(
                field_terms[f] if f < len(field_terms) else ()
                for _, field_terms in docs
                for f in range(n_fields)
            ),
        )

    def bulk_load_sequences(self, slots: Sequence[int], terms: TermSequences) -> None:
        """Index many documents at once into the main segment (the index must be empty):
        document ``i`` goes to ``slots[i]``; its fields' terms are texts ``i * n_fields + f`` of
        ``terms``. Term ids are handed out in order of first occurrence, as by adding the
        documents one by one.

        All (term, slot, field) occurrences go through numpy in one pass: per-document numpy
        calls would cost more than the counting itself.
        """
        if self._n_docs or self._forward:
            raise ValueError("bulk_load needs an empty index")
        n_fields = self._n_fields
        if len(terms) != len(slots) * n_fields:
            raise ValueError("bulk_load needs the terms of every field of every document")
        if not slots:
            return
        doc_slots = np.asarray(slots, dtype=np.int64)
        if np.unique(doc_slots).size != doc_slots.size:
            raise ValueError("bulk_load got a slot twice")
        self._ensure_capacity(int(doc_slots.max()))
        if self._alive[doc_slots].any():
            raise ValueError("slot in use")
        self._alive[doc_slots] = True
        counts = terms.lengths
        lengths = self._lengths
        lengths[:, doc_slots] = counts.reshape(-1, n_fields).T
        term_ids = self._ids_in_order(terms)
        slot_ids = np.repeat(np.repeat(doc_slots, n_fields), counts)
        field_ids = np.repeat(np.tile(np.arange(n_fields, dtype=np.int64), len(slots)), counts)
        self._n_docs = len(slots)
        self._length_sums = lengths.sum(axis=1)
        self._norm = None
        n_terms = len(self._df)
        cap = self._capacity
        # Occurrences sorted by (term, slot, field): runs of one key give tf, term-major for the
        # postings; sorted by (slot, term, field), for the forward lists. (Sorting numbers is
        # much faster in numpy than arg-sorting them.)
        postings, tf = _pair_counts((term_ids * cap + slot_ids) * n_fields + field_ids, n_fields)
        pair_terms = postings // cap
        pair_slots = postings % cap
        df = np.bincount(pair_terms, minlength=n_terms)
        self._main_ptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self._main_slots = pair_slots
        self._main_tf = tf
        self._df = df.tolist()
        forward, fwd_tf = _pair_counts(
            (slot_ids * max(n_terms, 1) + term_ids) * n_fields + field_ids, n_fields
        )
        bounds = np.cumsum(np.bincount(forward // max(n_terms, 1), minlength=cap))[:-1]
        fwd_terms = np.split(forward % max(n_terms, 1), bounds)
        fwd_tfs = np.split(fwd_tf, bounds)
        for slot in doc_slots.tolist():
            self._forward[slot] = (fwd_terms[slot], fwd_tfs[slot])

    def _ids_in_order(self, terms: TermSequences) -> IntArray:
        """Term ids of all keys of ``terms``; new terms get ids in order of first occurrence."""
        keys = terms.keys
        distinct = np.unique(keys)
        key_index = np.searchsorted(distinct, keys)
        first = np.full(distinct.size, keys.size, dtype=np.int64)
        np.minimum.at(first, key_index, np.arange(keys.size, dtype=np.int64))
        by_first = np.argsort(first)
        names = terms.names
        ids = np.empty(distinct.size, dtype=np.int64)
        ids[by_first] = self._ids_for([names[k] for k in distinct[by_first].tolist()])
        return ids[key_index]

    def add(self, slot: int, field_terms: Sequence[Sequence[str]]) -> None:
        """Index one document into the delta segment; ``field_terms[i]`` are field ``i``'s terms."""
        per_field = self._register(slot, field_terms)
        uniq, tf = self._forward_of(per_field)
        self._forward[slot] = (uniq, tf)
        for tid, row in zip(uniq.tolist(), tf.tolist(), strict=True):
            self._df[tid] += 1
            self._delta.setdefault(tid, {})[slot] = row
            self._compiled.pop(tid, None)

    def remove(self, slot: int) -> None:
        entry = self._forward.pop(slot, None)
        if entry is None:
            return
        uniq, _tf = entry
        for tid in uniq.tolist():
            self._df[tid] -= 1
            per_doc = self._delta.get(tid)
            if per_doc is not None and slot in per_doc:
                del per_doc[slot]
                if not per_doc:
                    del self._delta[tid]
                self._compiled.pop(tid, None)
        self._length_sums -= self._lengths[:, slot]
        self._lengths[:, slot] = 0.0
        self._alive[slot] = False
        self._n_docs -= 1
        self._norm = None

    # ----- storage ------------------------------------------------------------------------------
    # A stored index maps its large arrays from the file (see FaqIndex.save): the main segment
    # and the forward lists, packed into one CSR block, so worker processes share their pages.
    _PACKED = ("_fwd_slots", "_fwd_ptr", "_fwd_terms", "_fwd_tf")

    def arrays_to_map(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays a stored index keeps outside the pickle (the forward lists packed)."""
        slots = np.fromiter(self._forward.keys(), dtype=np.int64, count=len(self._forward))
        entries = list(self._forward.values())
        sizes = np.fromiter((e[0].size for e in entries), dtype=np.int64, count=len(entries))
        ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        terms = np.concatenate([e[0] for e in entries]) if entries else np.zeros(0, dtype=np.int64)
        tf = (
            np.concatenate([e[1] for e in entries])
            if entries
            else np.zeros((0, self._n_fields), dtype=np.float32)
        )
        return {
            "_main_ptr": self._main_ptr,
            "_main_slots": self._main_slots,
            "_main_tf": self._main_tf,
            "_fwd_slots": slots,
            "_fwd_ptr": ptr,
            "_fwd_terms": terms.astype(np.int64),
            "_fwd_tf": tf.astype(np.float32),
        }

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_compiled"] = {}
        state["_norm"] = None
        if not all(name in state for name in self._PACKED):  # pickled on its own
            state.update({k: v for k, v in self.arrays_to_map().items() if k in self._PACKED})
        state["_forward"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if not all(name in state for name in self._PACKED):
            return  # stored before the forward lists were packed: the dict was pickled
        if all(isinstance(state[name], np.ndarray) for name in self._PACKED):
            self.arrays_mapped()
        # else: the arrays are still being mapped by FaqIndex.load, which calls arrays_mapped

    def arrays_mapped(self) -> None:
        """Rebuild the forward lists as views into the packed (maybe mapped) arrays."""
        if not all(name in self.__dict__ for name in self._PACKED):
            return
        packed = self.__dict__
        slots, ptr = packed["_fwd_slots"], packed["_fwd_ptr"]
        terms, tf = packed["_fwd_terms"], packed["_fwd_tf"]
        bounds = ptr.tolist()
        self._forward = {
            slot: (terms[bounds[i] : bounds[i + 1]], tf[bounds[i] : bounds[i + 1]])
            for i, slot in enumerate(slots.tolist())
        }
        for name in self._PACKED:
            delattr(self, name)

    def packed_done(self) -> None:
        """After saving: drop the packed copies (the forward dict is the live data)."""
        for name in self._PACKED:
            self.__dict__.pop(name, None)

    # ----- reads --------------------------------------------------------------------------------
    @property
    def n_docs(self) -> int:
        return self._n_docs

    @property
    def capacity(self) -> int:
        return self._capacity

    def df(self, term: str) -> int:
        tid = self._term_id.get(term)
        return 0 if tid is None else self._df[tid]

    def _idf_of(self, df: int) -> float:
        return math.log(1.0 + (self._n_docs - df + 0.5) / (df + 0.5)) if df > 0 else 0.0

    def idf(self, term: str) -> float:
        return self._idf_of(self.df(term))

    def contains(self, slot: int, term: str) -> bool:
        """Does the document at ``slot`` contain ``term`` in any field?"""
        tid = self._term_id.get(term)
        entry = self._forward.get(slot)
        if tid is None or entry is None:
            return False
        uniq = entry[0]
        i = int(np.searchsorted(uniq, tid))
        return i < uniq.size and int(uniq[i]) == tid

    def doc_term_weights(self, slot: int) -> dict[str, float]:
        """Field-weighted term frequencies of one document (for relevance feedback)."""
        entry = self._forward.get(slot)
        if entry is None:
            return {}
        names = self._names
        weights = np.array([f.weight for f in self.fields])
        uniq, tf = entry
        return {names[t]: float(w) for t, w in zip(uniq.tolist(), tf @ weights, strict=True)}

    @property
    def n_terms(self) -> int:
        """Number of term ids handed out so far (ids are never reused)."""
        return len(self._names)

    def term_name(self, tid: int) -> str:
        return self._names[tid]

    def forward(self, slot: int) -> tuple[IntArray, npt.NDArray[np.float32]] | None:
        """Sorted term ids of a document and their tf per field."""
        return self._forward.get(slot)

    def _delta_arrays(self, tid: int) -> tuple[IntArray, FloatArray] | None:
        hit = self._compiled.get(tid)
        if hit is None:
            per_doc = self._delta.get(tid)
            if not per_doc:
                return None
            slots = np.fromiter(per_doc.keys(), dtype=np.int64, count=len(per_doc))
            tfs = np.array(list(per_doc.values()), dtype=np.float64).reshape(-1, self._n_fields)
            hit = self._compiled[tid] = (slots, tfs)
        return hit

    def _normalisers(self) -> FloatArray:
        """Per slot and field: weight / (1 - b + b * len / avg_len) (slot-major)."""
        if self._norm is None or self._norm.shape[0] != self._capacity:
            n = max(self._n_docs, 1)
            out = np.zeros((self._capacity, self._n_fields))
            for f, spec in enumerate(self.fields):
                avg = self._length_sums[f] / n
                if avg <= 0:
                    out[:, f] = spec.weight
                else:
                    out[:, f] = spec.weight / (1.0 - spec.b + spec.b * self._lengths[f] / avg)
            self._norm = out
        return self._norm

    def score(self, weighted_terms: Mapping[str, float]) -> FloatArray:
        """BM25F scores of every slot for a weighted bag of query terms (0 for removed slots)."""
        scores = np.zeros(self._capacity)
        if not weighted_terms or self._n_docs == 0:
            return scores
        norm = self._normalisers()
        k1 = self.k1
        n_main = self._main_ptr.size - 1
        for term, qw in weighted_terms.items():
            tid = self._term_id.get(term)
            if tid is None or qw == 0.0 or self._df[tid] == 0:
                continue
            weight = qw * self._idf_of(self._df[tid]) * (k1 + 1.0)
            if tid < n_main:
                lo, hi = self._main_ptr[tid], self._main_ptr[tid + 1]
                if hi > lo:
                    slots = self._main_slots[lo:hi]
                    pseudo_tf = np.einsum("ij,ij->i", self._main_tf[lo:hi], norm[slots])
                    gain = weight * pseudo_tf / (k1 + pseudo_tf)
                    scores[slots] += gain * self._alive[slots]
            delta = self._delta_arrays(tid)
            if delta is not None:
                slots, tfs = delta
                pseudo_tf = np.einsum("ij,ij->i", tfs, norm[slots])
                scores[slots] += weight * pseudo_tf / (k1 + pseudo_tf)
        return scores

    def max_score(self, weighted_terms: Mapping[str, float]) -> float:
        """Upper bound of :meth:`score` for this query (every term saturated)."""
        return sum(qw * self.idf(t) * (self.k1 + 1.0) for t, qw in weighted_terms.items() if qw > 0)


def _pair_counts(keys: IntArray, n_fields: int) -> tuple[IntArray, npt.NDArray[np.float32]]:
    """``keys`` are ``pair * n_fields + field`` per occurrence: the distinct pairs, sorted, and
    their occurrence counts per field."""
    keys, counts = np.unique(keys, return_counts=True)
    pair_keys = keys // n_fields
    starts = np.empty(pair_keys.size, dtype=bool)
    starts[:1] = True
    np.not_equal(pair_keys[1:], pair_keys[:-1], out=starts[1:])
    tf = np.zeros((int(np.count_nonzero(starts)), n_fields), dtype=np.float32)
    tf[np.cumsum(starts) - 1, keys % n_fields] = counts
    return pair_keys[starts], tf
