"""Test suite: pre-sets environment values, then loads base."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("MADOGUCHI_DATA_DIR", tempfile.mkdtemp(prefix="madoguchi-test-"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
# A per-process cache: tests that need the shared database cache override CACHES themselves.
os.environ.setdefault("CACHE_URL", "locmemcache://")

from .base import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The locmem mail backend is what the tests read; outside tests it is refused (core.checks).
SILENCED_SYSTEM_CHECKS = ["madoguchi.E001"]
