from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "madoguchi.core"
    label = "core"
    verbose_name = "共通"

    def ready(self) -> None:
        from django.core import checks as django_checks

        from . import (
            admin_changelist,
            checks,  # noqa: F401 — registers the start-up checks
            lookups,
        )
        from .ratelimit import check_cache

        django_checks.register(check_cache, django_checks.Tags.caches)
        lookups.register()
        admin_changelist.install()
