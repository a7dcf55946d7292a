from django.apps import AppConfig


class CleanedConfig(AppConfig):
    name = "cleaned"
    verbose_name = "Cleaned contacts"
