from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_index_cache() -> Iterator[None]:
    """Each test starts without cached indexes (primary keys repeat across tests).

    The engine's own tests in this folder need no Django app: skip when it is not installed.
    """
    from django.apps import apps

    if not apps.is_installed("madoguchi.faq"):
        yield
        return
    from madoguchi.faq import index_cache

    index_cache.forget()
    yield
    index_cache.forget()
