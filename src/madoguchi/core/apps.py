from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "madoguchi.core"
    label = "core"
    verbose_name = "共通"

    def ready(self) -> None:
        from django.core import checks as django_checks

        from . import checks  # noqa: F401 — registers the start-up checks
        from .ratelimit import check_cache

        django_checks.register(check_cache, django_checks.Tags.caches)
