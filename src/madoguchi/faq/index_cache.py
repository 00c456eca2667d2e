"""A per-process cache of each municipality's FAQ index, kept in step with the database.

- The index of a municipality is built by a background job (``faq.index``) and stored; a process
  loads the stored index on the municipality's first question. No request builds one, and no
  resident's request queues one: the job is queued when the municipality is created and when an
  entry is saved while nothing is stored (services.py); until it has run, questions are answered
  from an empty index.
- ``FaqIndexState.version`` (one row per municipality) is bumped in the same transaction as every
  change to what its residents can find (services.py). Each query reads that number (one primary-key
  lookup); when it differs from the cached one, the index is *synchronised*: the searchable documents
  are read from the database and compared with the indexed ones, and only the FAQs that changed are
  upserted or removed (the engine's incremental API), so another process's edit costs milliseconds,
  not a rebuild. When too many changed (a CSV import whose job has not finished), the index is
  served as it is and the job's stored index is loaded once it exists.
- The process that made the change applies it right away after commit (``apply_change``), so the
  editor's own process does not even need the comparison.
Sudachi is loaded once per process: every index shares one Analyzer (thread-local tokenizers).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from madoguchi.core.japanese_analysis.analysis import Analyzer
from madoguchi.core.japanese_analysis.lexicon import default_lexicon
from madoguchi.tenancy.models import Municipality

from .engine import FaqDocument, FaqIndex
from .engine.analysis_cache import AnalysisCache
from .engine.sentence import VectorCache
from .models import FaqIndexState
from .selectors import searchable_documents


@dataclass
class _Cached:
    version: int
    index: FaqIndex
    lock: threading.RLock
    # Far behind the database and a job is rebuilding: served as it is until then.
    waiting_until: float = 0.0


logger = logging.getLogger(__name__)

REBUILD_AFTER = 200
WAIT_FOR_JOB_S = 5.0
_cache: dict[int, _Cached] = {}
_cache_lock = threading.Lock()


@lru_cache(maxsize=1)
def _analyzer() -> Analyzer:
    return Analyzer(default_lexicon())


def new_index() -> FaqIndex:
    return FaqIndex(analyzer=_analyzer())


def current_version(municipality: Municipality) -> int:
    version = (
        FaqIndexState.objects.filter(municipality=municipality)
        .values_list("version", flat=True)
        .first()
    )
    return version or 0


def _sync(index: FaqIndex, docs: Iterable[FaqDocument]) -> bool:
    """Make the index hold exactly ``docs``, touching only the ones that differ (upserts and
    removals). When too many differ (e.g. right after a CSV import, whose job is rebuilding), it
    does nothing and returns False: no request builds an index."""
    wanted = {d.id: d for d in docs}
    gone = [d.id for d in index.documents() if d.id not in wanted]
    changed = [doc for doc in wanted.values() if index.get(doc.id) != doc]
    if len(gone) + len(changed) > max(REBUILD_AFTER, len(wanted) // 2):
        return False
    for doc_id in gone:
        index.remove(doc_id)
    for doc in changed:
        index.upsert(doc)
    return True


def _rebuilt(municipality: Municipality, docs: list[FaqDocument]) -> FaqIndex | None:
    """The stored index of exactly these documents, queueing the job that builds it if there is
    none yet (with the immediate task backend it has run when this returns)."""
    docs_fingerprint = fingerprint(docs)
    index = _load_persisted(municipality.pk, docs_fingerprint)
    if index is None and BUILD_WHEN_MISSING is not None:
        BUILD_WHEN_MISSING(municipality)
        index = _load_persisted(municipality.pk, docs_fingerprint)
    return index


def get_index(municipality: Municipality) -> tuple[FaqIndex, threading.RLock]:
    """The municipality's index, up to date with the database; hold the lock while searching."""
    version = current_version(municipality)
    cached = _cache.get(municipality.pk)
    if cached is not None and cached.version == version:
        return cached.index, cached.lock
    if cached is None:
        with _cache_lock:
            cached = _cache.get(municipality.pk)
            if cached is None:
                docs = list(searchable_documents(municipality=municipality))
                index = _load_persisted(municipality.pk, fingerprint(docs))
                loaded_version = version
                if index is None:
                    # An index stored from older documents: only what changed since is analysed
                    # and encoded (upserts), no build in the request.
                    index = _load_latest_persisted(municipality.pk)
                    if index is not None and not _sync(index, docs):
                        # Far behind: the job rebuilds; answer from the stored one meanwhile.
                        rebuilt = _rebuilt(municipality, docs)
                        if rebuilt is not None:
                            index = rebuilt
                        else:
                            loaded_version = -1
                if index is None:
                    # Nothing stored yet (a new municipality, or FAQ_INDEX_DIR lost): the job
                    # builds it; answer from an empty index until it is stored.
                    index = _rebuilt(municipality, docs)
                    if index is None:
                        return _pending_index(), threading.RLock()
                cached = _Cached(version=loaded_version, index=index, lock=threading.RLock())
                if loaded_version != version:
                    cached.waiting_until = time.monotonic() + WAIT_FOR_JOB_S
                _cache[municipality.pk] = cached
                return cached.index, cached.lock
    with cached.lock:
        if cached.version != version and cached.waiting_until <= time.monotonic():
            docs = list(searchable_documents(municipality=municipality))
            if _sync(cached.index, docs):
                cached.version = version
            else:
                rebuilt = _rebuilt(municipality, docs)
                if rebuilt is not None:
                    cached.index, cached.version = rebuilt, version
                else:  # serve the index as it is; look again in a few seconds
                    cached.waiting_until = time.monotonic() + WAIT_FOR_JOB_S
    return cached.index, cached.lock


# The job is queued by the staff-side change that makes the index stale (services); a request
# only loads. Tests set this to run the job's work at once, as a worker would.
BUILD_WHEN_MISSING: Any = None


@lru_cache(maxsize=1)
def _pending_index() -> FaqIndex:
    """What a municipality without a stored index is searched with until its job has stored one:
    nothing (the chat says it found no answer and shows the desk)."""
    return new_index()


def apply_change(
    municipality_id: int,
    *,
    version: int,
    upsert: Iterable[FaqDocument] = (),
    remove: Iterable[str] = (),
) -> None:
    """After commit: apply one change to this process's index (if it has one) incrementally.

    Only when the index was exactly one version behind is it marked current; otherwise some other
    change is missing and the next query synchronises from the database.
    """
    cached = _cache.get(municipality_id)
    if cached is None:
        return
    with cached.lock:
        for doc_id in remove:
            cached.index.remove(doc_id)
        for doc in upsert:
            cached.index.upsert(doc)
        if cached.version == version - 1:
            cached.version = version


def forget(municipality_id: int | None = None) -> None:
    """Drop cached indexes (tests, or to free memory)."""
    with _cache_lock:
        if municipality_id is None:
            _cache.clear()
        else:
            _cache.pop(municipality_id, None)


# --- Persisted indexes (built by a background job) -------------------------------------------


def _index_dir() -> Path:
    return Path(getattr(settings, "FAQ_INDEX_DIR", Path(settings.DATA_DIR) / "faq-index"))


def fingerprint(docs: Iterable[FaqDocument]) -> str:
    """What an index was built from: reading the documents is cheap, analysing them is not, so
    a stored index is used only when it was built from exactly the documents of today."""
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.id):
        digest.update(repr(doc).encode())
    return digest.hexdigest()[:32]


def persisted_path(municipality_id: int, docs_fingerprint: str) -> Path:
    return _index_dir() / f"{municipality_id}-{docs_fingerprint}.pickle"


def _load_persisted(municipality_id: int, docs_fingerprint: str) -> FaqIndex | None:
    """The index a job built from these documents, so a process starts without building."""
    path = persisted_path(municipality_id, docs_fingerprint)
    if not path.is_file():
        return None
    try:
        index = FaqIndex.load(path)  # written by `build_and_save` only
    except Exception as exc:  # a damaged file: build instead
        logger.warning("faq: persisted index %s unreadable (%s)", path.name, type(exc).__name__)
        return None
    return index


def has_stored_index(municipality_id: int) -> bool:
    directory = _index_dir()
    return directory.is_dir() and any(directory.glob(f"{municipality_id}-*.pickle"))


def _load_latest_persisted(municipality_id: int) -> FaqIndex | None:
    """The most recent stored index of the municipality, whatever documents it was built from."""
    directory = _index_dir()
    if not directory.is_dir():
        return None
    stored = sorted(
        directory.glob(f"{municipality_id}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for path in stored:
        try:
            return FaqIndex.load(path)
        except Exception as exc:
            logger.warning("faq: persisted index %s unreadable (%s)", path.name, type(exc).__name__)
    return None


def vectors_path(municipality_id: int, encoder: str) -> Path:
    return _index_dir() / "vectors" / f"{municipality_id}-{encoder}.npz"


def load_vector_caches(municipality_id: int, encoders: Iterable[str]) -> list[VectorCache]:
    """Sentence vectors encoded by earlier builds (text hash -> vector), so that a rebuild encodes
    only new texts. Plain arrays (no pickle): keys and float16 rows."""
    caches = []
    for name in encoders:
        path = vectors_path(municipality_id, name)
        if not path.is_file():
            continue
        try:
            with np.load(path, allow_pickle=False) as data:
                caches.append(
                    VectorCache.from_arrays(name, data["keys"], data["rows"])  # copies
                )
        except Exception as exc:  # a damaged file: encode again
            logger.warning("faq: vector cache %s unreadable (%s)", path.name, type(exc).__name__)
    return caches


def save_vector_caches(municipality_id: int, caches: Iterable[VectorCache]) -> None:
    for cache in caches:
        path = vectors_path(municipality_id, cache.encoder)
        path.parent.mkdir(parents=True, exist_ok=True)
        keys, rows = cache.to_arrays()
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        os.close(handle)
        try:
            np.savez(temporary, keys=keys, rows=rows)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def analysis_path(municipality_id: int) -> Path:
    return _index_dir() / "vectors" / f"{municipality_id}-analysis.npz"


def load_analysis_cache(municipality_id: int) -> AnalysisCache | None:
    """FAQs' terms analysed by earlier builds (text hash -> terms), so that a rebuild analyses
    only new or edited FAQs. Plain arrays (no pickle)."""
    path = analysis_path(municipality_id)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return AnalysisCache.from_arrays({name: data[name] for name in data.files})
    except Exception as exc:  # a damaged file: analyse again
        logger.warning("faq: analysis cache %s unreadable (%s)", path.name, type(exc).__name__)
        return None


def save_analysis_cache(municipality_id: int, cache: AnalysisCache) -> None:
    path = analysis_path(municipality_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    os.close(handle)
    try:
        arrays: dict[str, Any] = cache.to_arrays()
        np.savez(temporary, **arrays)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def build_and_save(municipality: Municipality) -> Path:
    """Build the municipality's index and store it (atomically: a temporary file renamed);
    files built from older documents are removed. Sentence vectors of texts seen by an earlier
    build are reused (only new or edited texts are encoded), and so are FAQs' analysed terms
    (only new or edited FAQs go through Sudachi). Returns the stored file's path."""
    docs = list(searchable_documents(municipality=municipality))
    target = persisted_path(municipality.pk, fingerprint(docs))
    index = new_index()
    index.adopt_vector_caches(load_vector_caches(municipality.pk, index.sentence_channels))
    index.adopt_analysis_cache(load_analysis_cache(municipality.pk))
    index.build(docs)
    directory = _index_dir()
    directory.mkdir(parents=True, exist_ok=True)
    save_vector_caches(municipality.pk, index.vector_caches())
    save_analysis_cache(municipality.pk, index.analysis_cache)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    os.close(handle)
    try:
        index.save(temporary)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    for old in directory.glob(f"{municipality.pk}-*.pickle"):
        if old.name != target.name:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
    return target
