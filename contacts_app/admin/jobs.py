"""Support staff and background jobs (S8, A6): one admin for every kind of job — stuck
jobs are visible (running with an old heartbeat), and each can be cancelled or retried
from where it stopped, through the job machinery."""

from django.contrib import admin, messages

from contacts_app.admin.audit import AuditedModelAdmin
from contacts_app.jobs.kinds import JobKind
from contacts_app.lib.errors import ServiceError


class JobAdmin(AuditedModelAdmin):
    kind: JobKind
    counters: list[str] = []  # the kind's own columns, shown after the status

    list_filter = ["status", "workspace"]
    search_fields = ["workspace__slug", "requested_by__username", "=number"]
    list_select_related = ["workspace", "requested_by"]
    actions = ["cancel_jobs", "retry_jobs"]
    ordering = ["-created_at"]

    def get_list_display(self, request):
        return [
            "number",  # U7: the number the workspace's admins see (their pages and emails)
            "workspace",
            "status",
            "requested",
            *self.counters,
            "progress_percent",
            "attempts",
            "created_at",
            "heartbeat_at",
            "finished_at",
            "id",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(description="progress")
    def progress_percent(self, job):
        return f"{job.progress:.0%}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """The list's actions (cancel, retry) need it; a job's own page is read-only: no
        Save button that would only log a change that changed nothing."""
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Cancel selected jobs (what was done stays done)")
    def cancel_jobs(self, request, queryset):
        done = sum(self.kind.cancel(job_id=job.id, actor=request.user) for job in queryset)
        left = queryset.count() - done
        text = f"Cancelled {done} job(s)." + (
            f" {left} had already finished and were left as they were." if left else ""
        )
        self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)

    @admin.action(description="Retry selected failed or cancelled jobs from where they stopped")
    def retry_jobs(self, request, queryset):
        done = 0
        for job in queryset:
            try:
                done += self.kind.retry(job_id=job.id, actor=request.user)
            except ServiceError as error:
                self.message_user(request, f"Job #{job.id}: {error.detail}", messages.ERROR)
        left = queryset.count() - done
        text = f"Re-queued {done} job(s)." + (
            f" {left} were not failed or cancelled with work left, and were left as they were." if left else ""
        )
        self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)
