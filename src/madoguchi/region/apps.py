from django.apps import AppConfig


class RegionConfig(AppConfig):
    name = "madoguchi.region"
    label = "region"
    verbose_name = "広域連携"
