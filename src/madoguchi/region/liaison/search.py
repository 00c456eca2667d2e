"""Search of the knowledge base with the FAQ engine: the same Japanese analysis (Sudachi
normalised forms, kana and width folding, the curated synonyms and dialect rewrites, character
bigrams) and BM25F as the residents' FAQ, on the lexical channels only (the vector channels
need large models that a prefecture's few hundred answers do not justify).

An index is built once per content of a prefecture's knowledge base (published entries change
rarely) and kept in a small per-process cache, like the procedure search."""

from __future__ import annotations

import threading
from functools import lru_cache

from madoguchi.core.japanese_analysis import Analyzer, default_lexicon
from madoguchi.faq.engine import EngineConfig, FaqDocument, FaqIndex

LEXICAL = EngineConfig(use_dense=False, use_use=False, use_e5=False)
MAX_QUERY_CHARS = 200
MAX_HITS = 20

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _analyzer() -> Analyzer:
    return Analyzer(default_lexicon())


@lru_cache(maxsize=16)
def _index_for(documents: tuple[FaqDocument, ...]) -> FaqIndex:
    index = FaqIndex(LEXICAL, analyzer=_analyzer())
    index.build(documents)
    return index


def ranked_ids(documents: tuple[FaqDocument, ...], query: str) -> list[int]:
    """The ids of the documents that match ``query``, best first."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query or not documents:
        return []
    with _lock:
        index = _index_for(documents)
        result = index.search(query, k=MAX_HITS)
    return [int(hit.doc_id) for hit in result.hits]
