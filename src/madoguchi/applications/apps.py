from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "madoguchi.applications"
    label = "applications"
    verbose_name = "申請"

    def ready(self) -> None:
        from madoguchi.jobs.registry import register

        register("applications.export", "madoguchi.applications.handoff.services.export_file_work")
