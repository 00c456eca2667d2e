from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "madoguchi.faq"
    label = "faq"
    verbose_name = "よくある質問"

    def ready(self) -> None:
        from django.conf import settings

        from madoguchi.jobs.registry import register

        from .engine import e5

        # The e5 encoder's int8 file is built once (in a child process) and kept here.
        e5.set_cache_dir(settings.FAQ_INDEX_DIR / "models")

        # A new municipality gets its (empty) index stored at once: its first entry is then an upsert.
        register(
            "faq.index", "madoguchi.faq.services.faq_index_build_work", for_new_municipality=True
        )
