"""Production refuses to start without a real mail backend; the cache table comes with migrate."""

from __future__ import annotations

import importlib

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from madoguchi.core import checks


@pytest.mark.parametrize("backend", sorted(checks.UNSENT_MAIL_BACKENDS))
def test_mail_backends_that_print_or_drop_mail_are_refused_outside_debug(backend: str) -> None:
    with override_settings(DEBUG=False, EMAIL_BACKEND=backend):
        assert [e.id for e in checks.mail_backend_check()] == ["madoguchi.E001"]
    with override_settings(DEBUG=True, EMAIL_BACKEND=backend):
        assert checks.mail_backend_check() == []


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.smtp.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    ],
)
def test_real_mail_backends_pass(backend: str) -> None:
    with override_settings(DEBUG=False, EMAIL_BACKEND=backend):
        assert checks.mail_backend_check() == []


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_shared_cache_table_and_it_is_rerunnable() -> None:
    migration = importlib.import_module("madoguchi.core.migrations.0002_cache_table")
    assert "madoguchi_cache" in connection.introspection.table_names()  # made by migrate
    with connection.schema_editor() as editor:
        migration.create_cache_tables(None, editor)  # again: nothing to do
        migration.drop_cache_table(None, editor)
    assert "madoguchi_cache" not in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        migration.create_cache_tables(None, editor)
    assert "madoguchi_cache" in connection.introspection.table_names()
    database_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "madoguchi_cache",
        }
    }
    with override_settings(CACHES=database_cache):
        cache = caches["default"]
        cache.set("limit", 1, 60)
        assert cache.incr("limit") == 2
        cache.clear()
