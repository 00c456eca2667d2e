from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "madoguchi.faq"
    label = "faq"
    verbose_name = "よくある質問"

    def ready(self) -> None:
        from madoguchi.jobs.registry import register

        register("faq.index", "madoguchi.faq.services.faq_index_build_work")
