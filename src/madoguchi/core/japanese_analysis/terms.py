"""TermSequences: the terms of many texts as one integer array (what a bulk index build passes
from analysis to the BM25F index instead of millions of Python strings in per-document lists)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


class TermNames(Protocol):
    """Term key -> term; a list of names, or a decoder of numeric keys."""

    def __getitem__(self, key: int, /) -> str: ...


@dataclass(frozen=True)
class TermSequences:
    """Text ``i`` has ``lengths[i]`` terms: the next ``lengths[i]`` keys of ``keys`` (texts in
    order), each key naming a term through ``names``. Keys are non-negative; they need not be
    dense."""

    names: TermNames
    keys: IntArray
    lengths: IntArray

    def __len__(self) -> int:
        return int(self.lengths.size)

    @staticmethod
    def from_lists(texts: Iterable[Sequence[str]]) -> TermSequences:
        number: dict[str, int] = {}
        keys: list[int] = []
        lengths: list[int] = []
        for terms in texts:
            keys.extend([number.setdefault(t, len(number)) for t in terms])
            lengths.append(len(terms))
        return TermSequences(
            list(number), np.asarray(keys, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
        )

    def to_lists(self) -> list[list[str]]:
        names = self.names
        flat = [names[k] for k in self.keys.tolist()]
        bounds = itertools.accumulate(self.lengths.tolist(), initial=0)
        return [flat[a:b] for a, b in itertools.pairwise(bounds)]
