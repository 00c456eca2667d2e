from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NotificationsConfig(AppConfig):
    name = "madoguchi.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self) -> None:
        # Each app's `notices.py` registers what its templates need (see contexts.py); a task
        # worker renders mails of every app without importing them one by one.
        autodiscover_modules("notices")
