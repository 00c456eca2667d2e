"""Work on all cores by forking: the worker processes inherit this process's objects (Sudachi,
the word vectors, the index being built) instead of receiving them, and send back only their
results. Used by index builds, never for single edits or queries."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

# Below this many characters of text, starting workers costs more than it saves.
MIN_PARALLEL_CHARS = 200_000

R = TypeVar("R")

# The task of the current map_pieces call, inherited by its workers (set just before forking).
_task: Callable[[int, int], Any] | None = None


def usable_workers(size: int) -> int:
    """How many processes to use for ``size`` characters of work: the usable cores when it is
    large enough and forking is possible and safe (no other thread runs in this process:
    forking could copy a lock another thread holds; not a daemonic process, which may not have
    children), else 1."""
    if size < MIN_PARALLEL_CHARS or threading.active_count() > 1 or not _can_fork():
        return 1
    return _usable_cores()


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def even_pieces(sizes: Sequence[int], n: int) -> list[tuple[int, int]]:
    """Cut ``range(len(sizes))`` into ``n`` consecutive pieces of about equal total size."""
    total = max(sum(sizes), 1)
    cuts = [0]
    done = 0
    for i, size in enumerate(sizes):
        done += size
        while len(cuts) < n and done * n >= total * len(cuts):
            cuts.append(i + 1)
    while len(cuts) <= n:
        cuts.append(len(sizes))
    return list(itertools.pairwise(cuts))


def map_pieces(
    task: Callable[[int, int], R],
    pieces: Sequence[tuple[int, int]],
    workers: int,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """``[task(lo, hi) for lo, hi in pieces]``, in ``workers`` forked processes if more than one
    (each takes the next piece when done with one); ``meanwhile`` runs here in the meantime.

    ``task`` runs on the workers' copies of the objects as they were at the fork: whatever it
    changes stays in the worker unless returned.
    """
    global _task
    if workers <= 1:
        if meanwhile is not None:
            meanwhile()
        return [task(lo, hi) for lo, hi in pieces]
    _task = task
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_signals)
    try:
        pending = pool.map_async(_run_piece, pieces, chunksize=1)
        if meanwhile is not None:
            meanwhile()
        results: list[R] = pending.get()
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _task = None
    return results


def _run_piece(piece: tuple[int, int]) -> Any:
    assert _task is not None
    return _task(*piece)


def _worker_signals() -> None:
    # A worker inherits the parent's Python signal handlers (a web server's, say), which could
    # keep it from ending when the pool terminates it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
