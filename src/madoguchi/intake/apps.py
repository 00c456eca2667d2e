from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "madoguchi.intake"
    label = "intake"
    verbose_name = _("外部連携の取込")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from madoguchi.jobs.registry import register

        register(
            "intake.import",
            "madoguchi.intake.services.bundle_import_work",
            cleanup="madoguchi.intake.services.bundle_import_forget",
        )
