"""AnalysisCache: each FAQ's analysed terms, kept with the index, so a rebuild analyses only the
FAQs whose texts changed.

Sudachi is most of an index build's CPU time. A FAQ's words, character n-grams and chiVe vector
depend on its own texts only (and on the analysis settings), so they are kept per FAQ under a hash
of those texts, like the sentence vectors (:class:`~.sentence.VectorCache`): a rebuild takes
unchanged FAQs' terms from here and runs Sudachi on the new and edited ones; an edit analyses one
FAQ. Terms are kept as sequences (field after field, in text order) rather than counts, so an
index bulk-loaded from them is the same, term id for term id, as one loaded from a fresh analysis.

The hash covers the texts that are analysed and a *signature* of everything else the terms depend
on (settings, curated lists, dictionary and vector versions): a cache with another signature is
not used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
Float32Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AnalysedEntry:
    """One FAQ's analysis: word terms (numbers in the cache's term table) and character n-gram
    codes, each field after field with the fields' lengths, and its chiVe row (empty without the
    dense channel)."""

    words: Int32Array
    word_lengths: Int32Array
    chars: Int64Array
    char_lengths: Int32Array
    dense: Float32Array


def entry_key(signature: str, texts: Sequence[str]) -> bytes:
    """16-byte hash of the analysed texts under a signature."""
    digest = hashlib.blake2b(signature.encode(), digest_size=16)
    for text in texts:
        digest.update(b"\x1f")
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


class AnalysisCache:
    """Text hash -> :class:`AnalysedEntry`, plus the table of word terms the entries refer to
    (with the Sudachi normal form each came from, which the word vectors are looked up by)."""

    def __init__(self, signature: str) -> None:
        self.signature = signature
        self.terms: list[str] = []
        self.forms: list[str] = []
        self._term_number: dict[str, int] = {}
        self._dict: dict[bytes, AnalysedEntry] = {}
        # Loaded from a stored index: the packed arrays, unpacked only when a build needs them
        # all (a process that searches and takes a few edits looks entries up one by one, with
        # ``_dict`` holding its new entries over the packed ones).
        self._unpacked: dict[str, npt.NDArray[Any]] | None = None
        self._unpacked_at: dict[bytes, int] | None = None  # key -> row, built on first lookup
        self.analysed = 0  # FAQs this cache had analysed for it (statistics, tests)

    @property
    def _entries(self) -> dict[bytes, AnalysedEntry]:
        """Every entry (unpacking the packed arrays, if any, for good)."""
        if self._unpacked is not None:
            entries = _entries_of(self._unpacked)
            entries.update(self._dict)
            self._dict = entries
            self._unpacked = self._unpacked_at = None
        return self._dict

    @_entries.setter
    def _entries(self, entries: dict[bytes, AnalysedEntry]) -> None:
        self._dict, self._unpacked, self._unpacked_at = entries, None, None

    def unpack(self) -> None:
        """Unpack stored entries now (before looking up many, as a build does)."""
        self._entries  # noqa: B018

    def _packed_row(self, key: bytes) -> int | None:
        packed = self._unpacked
        if packed is None:
            return None
        if self._unpacked_at is None:
            raw = packed["keys"].tobytes()
            self._unpacked_at = {raw[i : i + 16]: i // 16 for i in range(0, len(raw), 16)}
        return self._unpacked_at.get(key)

    def _is_empty(self) -> bool:
        return not self._dict and (self._unpacked is None or not self._unpacked["keys"].shape[0])

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._dict or (isinstance(key, bytes) and self._packed_row(key) is not None)

    def key(self, texts: Sequence[str]) -> bytes:
        return entry_key(self.signature, texts)

    def get(self, key: bytes) -> AnalysedEntry | None:
        entry = self._dict.get(key)
        if entry is None:
            row = self._packed_row(key)
            if row is not None:
                assert self._unpacked is not None
                entry = _entry_at(self._unpacked, row)
        return entry

    def put(self, key: bytes, entry: AnalysedEntry) -> None:
        self._dict[key] = entry

    def numbers(self, terms: Sequence[str], forms: dict[str, str]) -> Int64Array:
        """The table numbers of these terms, adding new ones (with their form from ``forms``)."""
        table = self._term_number
        out = np.empty(len(terms), dtype=np.int64)
        for i, term in enumerate(terms):
            number = table.get(term)
            if number is None:
                number = table[term] = len(self.terms)
                self.terms.append(term)
                self.forms.append(forms.get(term, term))
            out[i] = number
        return out

    def keep_only(self, keys: Iterable[bytes]) -> None:
        """Drop the entries of texts no FAQ has any more."""
        wanted = set(keys)
        self._entries = {k: v for k, v in self._entries.items() if k in wanted}

    def merge(self, other: AnalysisCache) -> None:
        """Take over another cache's entries (one built with the same signature only)."""
        if other.signature != self.signature or other is self or other._is_empty():
            return
        if not self.terms and self._is_empty():
            self.terms, self.forms = list(other.terms), list(other.forms)
            self._term_number = {t: i for i, t in enumerate(self.terms)}
            # Still packed: stays so (the arrays are only read).
            self._unpacked, self._unpacked_at = other._unpacked, other._unpacked_at
            self._dict = dict(other._dict)
            return
        remap = self.numbers(other.terms, dict(zip(other.terms, other.forms, strict=True)))
        for key, entry in other._entries.items():
            if key not in self._entries:
                words = remap[entry.words].astype(np.int32)
                self._entries[key] = AnalysedEntry(
                    words, entry.word_lengths, entry.chars, entry.char_lengths, entry.dense
                )

    # ----- storage ------------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Plain arrays (no pickle): keys, the term table and every entry packed end to end."""
        head = {
            "signature": np.array(self.signature),
            "terms": np.array(self.terms, dtype=str),
            "forms": np.array(self.forms, dtype=str),
        }
        if self._unpacked is not None and not self._dict:
            return {**head, **self._unpacked}
        entries = list(self._entries.values())
        n = len(entries)

        def packed(parts: list[npt.NDArray[Any]], dtype: Any) -> npt.NDArray[Any]:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        def ptr(parts: list[npt.NDArray[Any]]) -> Int64Array:
            sizes = np.fromiter((p.size for p in parts), dtype=np.int64, count=len(parts))
            return np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)

        def rows(parts: list[npt.NDArray[Any]], dtype: Any) -> npt.NDArray[Any]:
            return np.stack(parts).astype(dtype) if parts else np.zeros((0, 0), dtype=dtype)

        words = [e.words for e in entries]
        chars = [e.chars for e in entries]
        return {
            **head,
            "keys": (
                np.frombuffer(b"".join(self._entries), dtype=np.uint8).reshape(-1, 16)
                if n
                else np.zeros((0, 16), np.uint8)
            ),
            "word_ptr": ptr(words),
            "words": packed(words, np.int32),
            "word_lengths": rows([e.word_lengths for e in entries], np.int32),
            "char_ptr": ptr(chars),
            "chars": packed(chars, np.int64),
            "char_lengths": rows([e.char_lengths for e in entries], np.int32),
            "dense": rows([e.dense for e in entries], np.float32),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]]) -> AnalysisCache:
        """The cache :meth:`to_arrays` gave (entries are views into the arrays)."""
        cache = cls(str(arrays["signature"]))
        cache.terms = [str(t) for t in arrays["terms"].tolist()]
        cache.forms = [str(f) for f in arrays["forms"].tolist()]
        cache._term_number = {t: i for i, t in enumerate(cache.terms)}
        cache._unpacked = {name: arrays[name] for name in cls._ARRAYS}
        return cache

    # A stored index maps the packed arrays from its file (see FaqIndex.save); the entries then
    # are views into the shared pages.
    _ARRAYS = (
        "keys",
        "word_ptr",
        "words",
        "word_lengths",
        "char_ptr",
        "chars",
        "char_lengths",
        "dense",
    )

    def arrays_to_map(self) -> dict[str, npt.NDArray[Any]]:
        arrays = self.to_arrays()
        return {f"_packed_{name}": arrays[name] for name in self._ARRAYS}

    def packed_done(self) -> None:
        for name in self._ARRAYS:
            self.__dict__.pop(f"_packed_{name}", None)

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "signature": self.signature,
            "terms": self.terms,
            "forms": self.forms,
        }
        if all(f"_packed_{name}" in self.__dict__ for name in self._ARRAYS):
            for name in self._ARRAYS:  # placeholders of FaqIndex.save (mapped on load)
                state[f"_packed_{name}"] = self.__dict__[f"_packed_{name}"]
        else:
            arrays = self.to_arrays()
            for name in self._ARRAYS:
                state[f"_packed_{name}"] = arrays[name]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["signature"])  # type: ignore[misc]
        self.terms = state["terms"]
        self.forms = state["forms"]
        self._term_number = {t: i for i, t in enumerate(self.terms)}
        for name in self._ARRAYS:
            setattr(self, f"_packed_{name}", state[f"_packed_{name}"])
        if all(isinstance(state[f"_packed_{name}"], np.ndarray) for name in self._ARRAYS):
            self.arrays_mapped()

    def arrays_mapped(self) -> None:
        if not all(f"_packed_{name}" in self.__dict__ for name in self._ARRAYS):
            return
        arrays: dict[str, npt.NDArray[Any]] = {
            name: self.__dict__.pop(f"_packed_{name}") for name in self._ARRAYS
        }
        self._unpacked = arrays


def _entry_at(arrays: dict[str, npt.NDArray[Any]], row: int) -> AnalysedEntry:
    word_ptr, char_ptr = arrays["word_ptr"], arrays["char_ptr"]
    return AnalysedEntry(
        arrays["words"][int(word_ptr[row]) : int(word_ptr[row + 1])],
        arrays["word_lengths"][row],
        arrays["chars"][int(char_ptr[row]) : int(char_ptr[row + 1])],
        arrays["char_lengths"][row],
        arrays["dense"][row],
    )


def _entries_of(arrays: dict[str, npt.NDArray[Any]]) -> dict[bytes, AnalysedEntry]:
    word_ptr = arrays["word_ptr"].tolist()
    char_ptr = arrays["char_ptr"].tolist()
    words, chars = arrays["words"], arrays["chars"]
    word_lengths, char_lengths = arrays["word_lengths"], arrays["char_lengths"]
    dense = arrays["dense"]
    return {
        key.tobytes(): AnalysedEntry(
            words[word_ptr[i] : word_ptr[i + 1]],
            word_lengths[i],
            chars[char_ptr[i] : char_ptr[i + 1]],
            char_lengths[i],
            dense[i],
        )
        for i, key in enumerate(arrays["keys"])
    }
