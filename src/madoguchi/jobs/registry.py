"""Which function does the work of each job kind.

Apps register their kinds in `AppConfig.ready()` by dotted path (no import at start-up):

    register("intake.import", "madoguchi.intake.services.bundle_import_work")

The work is called as `work(job, progress)` and must be idempotent from `job.done` on: a
resumed job calls it again.
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


def register(kind: str, work: str, *, cleanup: str = "") -> None:
    _WORK[kind] = work
    if cleanup:
        _CLEANUP[kind] = cleanup


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
