"""The word-vector channel, on a tiny hand-made vector table (no model package needed)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from madoguchi.faq.engine import EngineConfig, FaqDocument, FaqIndex
from madoguchi.faq.engine.vectors import (
    WordVectors,
    _read_key2row,
    default_vectors,
    murmurhash64a,
)


def _table(words: dict[str, list[float]]) -> WordVectors:
    rows = np.array(list(words.values()), dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    key2row = {murmurhash64a(w.encode()): i for i, w in enumerate(words)}
    return WordVectors(rows, key2row)


VECTORS = _table(
    {
        "蜂": [1.0, 0.1, 0.0],
        "スズメバチ": [0.95, 0.15, 0.0],
        "駆除": [0.7, 0.3, 0.0],
        "図書館": [0.0, 0.1, 1.0],
        "利用": [0.1, 0.5, 0.5],
    }
)

DOCS = [
    FaqDocument(id="hornet", question="スズメバチの駆除", answer="専門業者を紹介します。"),
    FaqDocument(id="library", question="図書館の利用", answer="どなたでも利用できます。"),
]


def test_murmurhash_is_deterministic_and_spreads() -> None:
    values = {murmurhash64a(w.encode()) for w in ["", "a", "ab", "abcdefgh", "abcdefghi", "蜂"]}
    assert len(values) == 6
    assert all(0 <= v < 2**64 for v in values)
    assert murmurhash64a(b"abc") == murmurhash64a(b"abc")
    assert murmurhash64a(b"abc", seed=2) != murmurhash64a(b"abc")


def test_key2row_reader_decodes_msgpack_map(tmp_path: Path) -> None:
    # map32 with a uint64 key -> fixint, and a uint64 key -> uint16
    blob = (
        b"\xdf"
        + struct.pack(">I", 2)
        + b"\xcf"
        + (2**63 + 5).to_bytes(8, "big")
        + b"\x07"
        + b"\xcf"
        + (12345).to_bytes(8, "big")
        + b"\xcd"
        + (300).to_bytes(2, "big")
    )
    path = tmp_path / "key2row"
    path.write_bytes(blob)
    assert _read_key2row(path) == {2**63 + 5: 7, 12345: 300}


def test_dense_channel_finds_a_faq_without_shared_words() -> None:
    lexical = FaqIndex(
        EngineConfig(
            use_use=False, use_e5=False, use_dense=False, use_chars=False, use_synonyms=False
        )
    )
    lexical.build(DOCS)
    assert lexical.search("蜂がいる").hits == ()

    dense = FaqIndex(
        EngineConfig(
            use_use=False, use_e5=False, use_dense=True, use_chars=False, use_synonyms=False
        ),
        vectors=VECTORS,
    )
    dense.build(DOCS)
    assert dense.uses_dense
    hits = dense.search("蜂がいる").hits
    assert hits[0].doc_id == "hornet"
    # With no shared word the engine is less sure than with the FAQ's own words.
    assert dense.search("蜂がいる").confidence < dense.search("スズメバチの駆除").confidence


def test_dense_vectors_follow_upserts_and_removals() -> None:
    cfg = EngineConfig(
        use_use=False, use_e5=False, use_dense=True, use_chars=False, use_synonyms=False
    )
    incremental = FaqIndex(cfg, vectors=VECTORS)
    incremental.build(DOCS[:1])
    incremental.upsert(DOCS[1])
    incremental.remove("hornet")
    rebuilt = FaqIndex(cfg, vectors=VECTORS)
    rebuilt.build(DOCS[1:])
    got = incremental.search("蜂の図書館").hits
    want = rebuilt.search("蜂の図書館").hits
    assert [h.doc_id for h in got] == [h.doc_id for h in want] == ["library"]
    assert got[0].score == pytest.approx(want[0].score)


@pytest.mark.skipif(default_vectors() is None, reason="ja-ginza (chiVe vectors) not installed")
def test_installed_chive_vectors_know_municipal_words() -> None:
    vectors = default_vectors()
    assert vectors is not None
    assert vectors.rows.shape[1] == 300
    a, b, c = (vectors.row(w) for w in ("引っ越し", "転居", "図書館"))
    assert a is not None and b is not None and c is not None
    similar = float(vectors.rows[a] @ vectors.rows[b])
    unrelated = float(vectors.rows[a] @ vectors.rows[c])
    assert similar > unrelated
