"""Production refuses to start without a real mail backend; the cache table comes with migrate."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from madoguchi.core import checks

from .servers import TEST_ONLY_ENVIRONMENT


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


def _production_settings(**environment: str) -> dict[str, object]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); print(json.dumps("
        "{'session': settings.SESSION_COOKIE_SECURE, 'csrf': settings.CSRF_COOKIE_SECURE,"
        " 'hsts': settings.SECURE_HSTS_SECONDS, 'proxy': settings.SECURE_PROXY_SSL_HEADER,"
        " 'cache': settings.CACHES['default']['BACKEND']}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENVIRONMENT}
    env.update(
        DJANGO_SETTINGS_MODULE="madoguchi.settings.production",
        PYTHONPATH=str(settings.SRC_DIR),
        SECRET_KEY="x" * 50,
        MADOGUCHI_DATA_DIR=str(settings.DATA_DIR),
        **environment,
    )
    done = subprocess.run(  # noqa: S603 — our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_production_defaults_secure_cookies_hsts_shared_cache_and_opt_in_proxy_header() -> None:
    assert _production_settings() == {
        "session": True,
        "csrf": True,
        "hsts": 31536000,
        "proxy": None,
        "cache": "django.core.cache.backends.db.DatabaseCache",
    }
    opted_in = _production_settings(
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", SECURE_HSTS_SECONDS="0"
    )
    assert opted_in["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"] and opted_in["hsts"] == 0
