from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "madoguchi.jobs"
    label = "jobs"
    verbose_name = _("バックグラウンド処理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from madoguchi.tenancy.models import Municipality

        from .services import municipality_saved

        post_save.connect(
            municipality_saved, sender=Municipality, dispatch_uid="jobs.new_municipality"
        )
