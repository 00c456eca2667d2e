from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "madoguchi.counter"
    label = "counter"
    verbose_name = "書かない窓口"

    def ready(self) -> None:
        # Registers the pre-input end of the online journey (applications.views.JOURNEY_FINISHERS).
        from . import preinput_views  # noqa: F401
