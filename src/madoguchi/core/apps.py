from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "madoguchi.core"
    label = "core"
    verbose_name = "共通"

    def ready(self) -> None:
        from . import admin_changelist, lookups

        lookups.register()
        admin_changelist.install()
