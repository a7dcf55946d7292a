from django.contrib import admin

from contacts_app.admin.audit import AuditedModelAdmin, ReadOnlyAdminMixin
from contacts_app.admin.jobs import JobAdmin

from .models import BounceEvent, ExportJob, IncidentRevertJob
from .services.exports import EXPORTS
from .services.incidents import INCIDENT_REVERTS


@admin.register(BounceEvent)
class BounceEventAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Bounce events are evidence from the providers: read-only."""

    list_display = ["occurred_at", "workspace", "provider", "type", "email", "reason", "contact"]
    list_filter = ["type", "provider", "workspace"]
    search_fields = ["email", "event_id"]
    list_select_related = ["workspace", "contact"]
    readonly_fields = [f.name for f in BounceEvent._meta.fields]
    show_full_result_count = False


@admin.register(ExportJob)
class ExportJobAdmin(JobAdmin):
    """Support staff see stuck exports and cancel or retry them (a retried export carries on its file)."""

    kind = EXPORTS
    counters = ["scope", "cursor"]


@admin.register(IncidentRevertJob)
class IncidentRevertJobAdmin(JobAdmin):
    """Support staff see stuck incident reverts and cancel or retry them."""

    kind = INCIDENT_REVERTS
    counters = ["provider", "reverted", "skipped_total"]
