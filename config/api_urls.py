from django.urls import path

from cleaned.webhooks import bounce_webhook
from contacts_app import api as contacts_api
from restore import api as restore_api

from .openapi import schema

urlpatterns = [
    path("schema", schema, name="api-schema"),
    path("workspace", contacts_api.workspace_detail, name="api-workspace"),
    path("contacts", contacts_api.contacts, name="api-contacts"),
    path("contacts/archive", contacts_api.contacts_archive, name="api-contacts-archive"),
    path("contacts/<int:contact_id>", contacts_api.contact_detail, name="api-contact"),
    path("restore-jobs/preview", restore_api.preview, name="api-restore-preview"),
    path("restore-jobs", restore_api.jobs, name="api-restore-jobs"),
    path("restore-jobs/<int:job_id>", restore_api.job_detail, name="api-restore-job"),
    path("bounces", bounce_webhook, name="api-bounces"),
    path("forms/<int:form_id>/submissions", restore_api.form_submission, name="api-form-submission"),
]
