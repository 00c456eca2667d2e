from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "madoguchi.insights"
    label = "insights"
    verbose_name = "分析"
