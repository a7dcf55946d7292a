from django.contrib import admin

from contacts_app.admin.jobs import JobAdmin

from .models import RestoreJob
from .services.jobs import RESTORE_JOBS


@admin.register(RestoreJob)
class RestoreJobAdmin(JobAdmin):
    """Support staff see stuck restore jobs and cancel or retry them (restored contacts stay restored)."""

    kind = RESTORE_JOBS
    counters = ["restored", "skipped_total"]
