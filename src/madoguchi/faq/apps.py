from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "madoguchi.faq"
    label = "faq"
    verbose_name = "よくある質問"
