from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "madoguchi.faq"
    label = "faq"
    verbose_name = "よくある質問"

    def ready(self) -> None:
        from madoguchi.jobs.registry import register

        # A new municipality gets its (empty) index stored at once: its first entry is then an upsert.
        register(
            "faq.index", "madoguchi.faq.services.faq_index_build_work", for_new_municipality=True
        )
