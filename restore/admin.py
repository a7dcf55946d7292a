from django.contrib import admin, messages

from contacts_app.admin.audit import AuditedModelAdmin
from contacts_app.lib.errors import ServiceError

from .models import RestoreJob
from .services.jobs import RESTORE_JOBS


@admin.register(RestoreJob)
class RestoreJobAdmin(AuditedModelAdmin):
    """Support staff see stuck jobs (running with an old heartbeat) and cancel or retry them."""

    list_display = [
        "id",
        "workspace",
        "status",
        "requested",
        "restored",
        "skipped_total",
        "progress_percent",
        "attempts",
        "created_at",
        "heartbeat_at",
        "finished_at",
    ]
    list_filter = ["status", "workspace"]
    search_fields = ["workspace__slug", "requested_by__username"]
    list_select_related = ["workspace", "requested_by"]
    readonly_fields = [f.name for f in RestoreJob._meta.fields]
    actions = ["cancel_jobs", "retry_jobs"]
    ordering = ["-created_at"]

    @admin.display(description="progress")
    def progress_percent(self, job):
        return f"{job.progress:.0%}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel selected jobs (restored contacts stay restored)")
    def cancel_jobs(self, request, queryset):
        done = sum(RESTORE_JOBS.cancel(job_id=job.id, actor=request.user) for job in queryset)
        self.message_user(request, f"Cancelled {done} job(s).", messages.SUCCESS if done else messages.WARNING)

    @admin.action(description="Retry selected failed or cancelled jobs from where they stopped")
    def retry_jobs(self, request, queryset):
        done = 0
        for job in queryset:
            try:
                done += RESTORE_JOBS.retry(job_id=job.id, actor=request.user)
            except ServiceError as error:
                self.message_user(request, f"Job #{job.id}: {error.detail}", messages.ERROR)
        self.message_user(request, f"Re-queued {done} job(s).", messages.SUCCESS if done else messages.WARNING)
