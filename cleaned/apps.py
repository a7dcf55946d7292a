from django.apps import AppConfig


class CleanedConfig(AppConfig):
    name = "cleaned"
    verbose_name = "Cleaned contacts"

    def ready(self):
        from . import webhooks  # noqa: F401  (connects the anymail tracking receiver)
