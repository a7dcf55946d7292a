from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsAppConfig(AppConfig):
    name = "contacts_app"
    verbose_name = _("CRM contacts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from contacts_app.lib.sqlutil import utc_timestamps_register

        utc_timestamps_register()  # S4: offsets past ±15:59 reach PostgreSQL as UTC
