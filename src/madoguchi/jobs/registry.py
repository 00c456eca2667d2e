"""Which function does the work of each job kind.

Apps register their kinds in `AppConfig.ready()` by dotted path (no import at start-up):

    register("intake.import", "madoguchi.intake.services.bundle_import_work")

The work is called as `work(job, progress)` and must be idempotent from `job.done` on: a
resumed job calls it again.

A kind registered with `for_new_municipality=True` is queued for every municipality when its
creation commits (e.g. its empty FAQ index, so that the first entry it saves is searchable at once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Job
    from .services import Progress

Work = Callable[["Job", "Progress"], None]

_WORK: dict[str, str] = {}
# Called with a job before `jobs prune` deletes it: the app removes what it kept for that job
# (e.g. the uploaded bundle of an import), since only the app knows what it is.
_CLEANUP: dict[str, str] = {}
_FOR_NEW_MUNICIPALITY: dict[str, None] = {}  # ordered set


def register(
    kind: str, work: str, *, cleanup: str = "", for_new_municipality: bool = False
) -> None:
    _WORK[kind] = work
    if cleanup:
        _CLEANUP[kind] = cleanup
    if for_new_municipality:
        _FOR_NEW_MUNICIPALITY[kind] = None


def kinds_for_new_municipality() -> tuple[str, ...]:
    return tuple(_FOR_NEW_MUNICIPALITY)


def cleanup_for(kind: str) -> Callable[[Job], None] | None:
    path = _CLEANUP.get(kind)
    if not path:
        return None
    cleanup: Callable[[Job], None] = import_string(path)
    return cleanup


def work_for(kind: str) -> Work:
    try:
        path = _WORK[kind]
    except KeyError:
        raise LookupError(f"no work registered for job kind {kind!r}") from None
    work: Work = import_string(path)
    return work
