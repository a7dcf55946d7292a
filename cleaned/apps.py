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

        from contacts_app.access_request import contact_data_section_register
        from contacts_app.services.erasure import erasure_step_register

        from .privacy import BOUNCES_SECTION, CLEANINGS_SECTION, bounces_erase, cleanings_erase, exports_withdraw

        erasure_step_register("cleaned.bounces", bounces_erase)  # G1
        erasure_step_register("cleaned.cleanings", cleanings_erase)
        erasure_step_register("cleaned.exports", exports_withdraw)
        contact_data_section_register(BOUNCES_SECTION)  # G3
        contact_data_section_register(CLEANINGS_SECTION)
