from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "madoguchi.tenancy"
    label = "tenancy"
    verbose_name = "自治体"
