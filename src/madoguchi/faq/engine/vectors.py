"""Optional word vectors: chiVe (Sudachi-normalised words, 300-d) as shipped by the ``ja-ginza``
package (MIT). Read straight from the package's data files; spaCy itself is not imported.

The package stores a pruned table: 480,443 words map to 20,000 vector rows (words whose vector was
dropped point at their nearest kept row). Keys are spaCy string hashes (MurmurHash64A, seed 1) of
the word, so a word is looked up by hashing it; the 17 MB string list is never loaded.

Use: :class:`WordVectors` gives unit vectors for words (see ``dense.py``).
"""

from __future__ import annotations

import importlib.util
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as used by spaCy's ``hash_string`` (seed 1)."""
    n = len(data)
    h = (seed ^ (n * _M)) & _MASK
    nblocks = n // 8
    for (k,) in struct.iter_unpack("<Q", data[: nblocks * 8]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[nblocks * 8 :]
    if tail:
        for i in range(len(tail) - 1, -1, -1):
            h ^= tail[i] << (8 * i)
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


def _read_key2row(path: Path) -> dict[int, int]:
    """Decode spaCy's key2row file: a msgpack map of uint64 hash -> row (no msgpack dependency)."""
    buf = path.read_bytes()
    pos = 0
    tag = buf[pos]
    if tag == 0xDF:
        (count,) = struct.unpack_from(">I", buf, 1)
        pos = 5
    elif tag == 0xDE:
        (count,) = struct.unpack_from(">H", buf, 1)
        pos = 3
    else:
        raise ValueError("key2row: not a msgpack map")

    def read_uint() -> int:
        nonlocal pos
        t = buf[pos]
        if t <= 0x7F:
            pos += 1
            return t
        size = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}.get(t)
        if size is None:
            raise ValueError(f"key2row: unexpected msgpack type {t:#x}")
        value = int.from_bytes(buf[pos + 1 : pos + 1 + size], "big")
        pos += 1 + size
        return value

    table: dict[int, int] = {}
    for _ in range(count):
        key = read_uint()
        table[key] = read_uint()
    return table


def ginza_vectors_dir() -> Path | None:
    """Where the installed ``ja-ginza`` package keeps its vectors, or None if it is not installed."""
    spec = importlib.util.find_spec("ja_ginza")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        for candidate in sorted(Path(base).glob("ja_ginza-*/vocab")):
            if (candidate / "vectors").is_file() and (candidate / "key2row").is_file():
                return candidate
    return None


class WordVectors:
    def __init__(self, unit_rows: npt.NDArray[np.float32], key2row: dict[int, int]) -> None:
        self.rows = unit_rows
        self.key2row = key2row

    @staticmethod
    def load(directory: Path) -> WordVectors:
        matrix = np.load(directory / "vectors", allow_pickle=False).astype(np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return WordVectors(matrix / norms, _read_key2row(directory / "key2row"))

    def row(self, word: str) -> int | None:
        return self.key2row.get(murmurhash64a(word.encode("utf-8")))


@lru_cache(maxsize=1)
def default_vectors() -> WordVectors | None:
    """The chiVe vectors of ``ja-ginza`` if installed (loaded once per process), else None."""
    directory = ginza_vectors_dir()
    return WordVectors.load(directory) if directory is not None else None
