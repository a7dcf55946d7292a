from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestoreConfig(AppConfig):
    name = "restore"
    verbose_name = _("Restore jobs")

    def ready(self):
        from contacts_app.access_request import contact_data_section_register
        from contacts_app.services.erasure import erasure_step_register

        from .privacy import SUBMISSIONS_SECTION, restore_selections_scrub

        erasure_step_register("restore.selections", restore_selections_scrub)  # G1
        contact_data_section_register(SUBMISSIONS_SECTION)  # G3
