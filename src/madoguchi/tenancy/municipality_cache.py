"""The short-lived cache of active municipalities (every resident request needs one).

Kept apart from `access` so that `Municipality.save()` can forget its entry without importing
the module that imports the models.
"""

from django.core.cache import cache

MUNICIPALITY_CACHE_SECONDS = 30


def cache_key(code: str) -> str:
    return f"municipality:{code}"


def forget_municipality(code: str) -> None:
    cache.delete(cache_key(code))
