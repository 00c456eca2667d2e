"""Reservations tests run only where the app is installed (the lead wires it in settings)."""

from __future__ import annotations

from pathlib import Path


def pytest_ignore_collect(collection_path: Path, config: object) -> bool | None:
    from django.conf import settings

    if "madoguchi.reservations" not in settings.INSTALLED_APPS:
        return True
    return None
