"""Work on all cores by forking, for batch jobs (FAQ index builds, bulk intake).

Worker processes inherit this process's objects (Sudachi, word vectors, the index being built,
an open bundle) instead of receiving them, and send back only their results, so the work need
not be picklable. Never for single edits or queries.

Forking is only safe in a process where no other thread runs (the child could inherit a lock
another thread holds) and that is not a daemon (which may not have children):
`usable_workers` checks both. Workers reset the signal handlers they inherit (a web server's,
say, could keep them from ending when the pool stops them) and detach inherited database
connections: using or closing one in a child would break the parent's session.

This module imports nothing from Django, so the FAQ engine can use it without Django.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many characters of text, starting workers costs more than it saves (FAQ builds).
MIN_PARALLEL_CHARS = 200_000

# The function of the running map, inherited by its workers (set just before forking).
_task: Callable[..., Any] | None = None
_inherited_connections: list[Any] = []


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover — not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def usable_workers(size: int) -> int:
    """How many processes to use for `size` characters of work: the usable cores when it is
    large enough and forking is possible and safe (no other thread, not a daemon), else 1."""
    if size < MIN_PARALLEL_CHARS or threading.active_count() > 1 or not can_fork():
        return 1
    return default_workers()


def even_pieces(sizes: Sequence[int], n: int) -> list[tuple[int, int]]:
    """Cut `range(len(sizes))` into `n` consecutive pieces of about equal total size."""
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


def _start_worker() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if "django.db" in sys.modules:  # detached, not closed: references keep them from closing
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                _inherited_connections.append(connection.connection)
                connection.connection = None


def _run(item: Any) -> Any:
    assert _task is not None
    return _task(item)


@contextmanager
def _forked(task: Callable[[Any], Any], workers: int) -> Iterator[Any]:
    """A pool of `workers` forked processes running `task` (through `_run`); stopped at once if
    the block raises (or a generator using it is closed), else closed and joined."""
    global _task
    if _task is not None:
        raise RuntimeError("a forked map is already running in this process")
    _task = task
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker)
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _task = None


def map_pieces(
    task: Callable[[int, int], R],
    pieces: Sequence[tuple[int, int]],
    workers: int,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """`[task(lo, hi) for lo, hi in pieces]`, in `workers` forked processes if more than one
    (each takes the next piece when done with one); `meanwhile` runs here in the meantime.

    `task` runs on the workers' copies of the objects as they were at the fork: whatever it
    changes stays in the worker unless returned.
    """
    if workers <= 1:
        if meanwhile is not None:
            meanwhile()
        return [task(lo, hi) for lo, hi in pieces]
    with _forked(lambda piece: task(*piece), workers) as pool:
        pending = pool.map_async(_run, pieces, chunksize=1)
        if meanwhile is not None:
            meanwhile()
        results: list[R] = pending.get()
    return results


def ordered_map(
    function: Callable[[T], R], items: Iterable[T], *, workers: int, ahead: int = 2
) -> Generator[R, None, None]:
    """`map(function, items)` computed by `workers` forked processes, yielded in order.

    At most `workers * ahead` items are in flight, so memory stays bounded however many items
    there are. With one worker, or where fork is not possible, it is a plain map here. Closing
    the generator early (or an exception in the consumer) stops the workers. The caller decides
    that forking is safe (a command-line batch job, not a threaded server).
    """
    if workers <= 1 or not can_fork():
        yield from map(function, items)
        return
    with _forked(function, workers) as pool:
        iterator = iter(items)
        pending: deque[Any] = deque(
            pool.apply_async(_run, (item,)) for item in itertools.islice(iterator, workers * ahead)
        )
        while pending:
            result = pending.popleft().get()
            for item in itertools.islice(iterator, 1):
                pending.append(pool.apply_async(_run, (item,)))
            yield result
