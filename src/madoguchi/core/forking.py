"""CPU-bound work spread over forked worker processes, results in order.

For batch jobs run from the command line (bulk intake), not for web requests: a web worker may
hold threads, and forking a threaded process is unsafe. Workers inherit the parent's memory
(fork), so the function and its data need not be picklable; only the items sent to a worker
and its results are pickled.

A worker must not use the database: the parent's connections are inherited as open sockets,
and using or closing one in a child would break the parent's session. So the child detaches
them at start (keeping references, so nothing closes them) and Django opens a new connection
should a worker query after all.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

from django.db import connections

T = TypeVar("T")
R = TypeVar("R")

_FUNCTION: Callable[[Any], Any] | None = None
_INHERITED: list[Any] = []


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover — not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _detach_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _INHERITED.append(connection.connection)
            connection.connection = None


def _call(item: Any) -> Any:
    assert _FUNCTION is not None
    return _FUNCTION(item)


def ordered_map(
    function: Callable[[T], R], items: Iterable[T], *, workers: int, ahead: int = 2
) -> Generator[R, None, None]:
    """`map(function, items)` computed by `workers` forked processes, yielded in order.

    At most `workers * ahead` items are in flight, so memory stays bounded however many items
    there are. With one worker, or where fork is not available, it is a plain map in this
    process. Closing the iterator early (or an exception in the consumer) stops the workers.
    """
    if workers <= 1 or not can_fork():
        yield from map(function, items)
        return
    global _FUNCTION
    if _FUNCTION is not None:
        raise RuntimeError("ordered_map is already running in this process")
    _FUNCTION = function
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_detach_connections) as pool:
            iterator = iter(items)
            pending: deque[Any] = deque()
            for item in iterator:
                pending.append(pool.apply_async(_call, (item,)))
                if len(pending) >= workers * ahead:
                    break
            while pending:
                result = pending.popleft().get()
                for item in iterator:
                    pending.append(pool.apply_async(_call, (item,)))
                    break
                yield result
    finally:
        _FUNCTION = None
