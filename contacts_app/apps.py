from django.apps import AppConfig


class ContactsAppConfig(AppConfig):
    name = "contacts_app"
    verbose_name = "CRM contacts"
    default_auto_field = "django.db.models.BigAutoField"
