from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

REAL: dict[str, Any] = {}  # what the fixture below replaced, for the tests of the real thing


@pytest.fixture(autouse=True)
def _fresh_index_cache() -> Iterator[None]:
    """Each test starts without cached indexes (primary keys repeat across tests).

    A request that finds no stored index queues the build job; the job's task would run when the
    test's transaction commits, which it never does, so here the job's work runs at once (as a
    worker would). ``test_index_job`` checks the queueing itself (with ``REAL["request_build"]``).

    The engine's own tests in this folder need no Django app: skip when it is not installed.
    """
    from django.apps import apps

    if not apps.is_installed("madoguchi.faq"):
        yield
        return
    from madoguchi.faq import index_cache

    index_cache.forget()
    patch = pytest.MonkeyPatch()
    patch.setattr(index_cache, "BUILD_WHEN_MISSING", index_cache.build_and_save)
    yield
    patch.undo()
    index_cache.forget()
