from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "madoguchi.core"
    label = "core"
    verbose_name = "共通"

    def ready(self) -> None:
        from django.core import checks

        from .ratelimit import check_cache

        checks.register(check_cache, checks.Tags.caches)
