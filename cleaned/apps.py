from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CleanedConfig(AppConfig):
    name = "cleaned"
    verbose_name = _("Cleaned contacts")

    def ready(self):
        from contacts_app.web.panels import contact_panel_register

        from . import demo, webhooks  # noqa: F401  (connect the demo and anymail tracking receivers)
        from .panels import why_cleaned_panel

        contact_panel_register(why_cleaned_panel)  # C7/C8 on the contact page
