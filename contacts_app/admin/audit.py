"""Every change support staff make in the Django admin leaves an AuditEvent."""

from django.contrib import admin

from contacts_app.audit import audit_log
from contacts_app.models import AuditEvent


def _workspace_id_of(obj) -> int | None:
    if obj.__class__.__name__ == "Workspace":
        return obj.pk
    workspace_id = getattr(obj, "workspace_id", None)
    if workspace_id is None and hasattr(obj, "contact"):
        workspace_id = getattr(obj.contact, "workspace_id", None)
    return workspace_id


def staff_audit(request, obj, verb: str, message: str = "") -> None:
    model = obj._meta.model_name
    audit_log(
        workspace_id=_workspace_id_of(obj),
        actor=request.user,
        action=AuditEvent.Action.STAFF_CHANGE,
        contact_ids=[obj.pk] if model == "contact" else [],
        details={
            "model": model,
            "object_id": obj.pk,
            "verb": verb,
            "object": str(obj)[:200],
            "message": str(message)[:500],
        },
    )


class AuditedModelAdmin(admin.ModelAdmin):
    list_per_page = 50

    def log_addition(self, request, obj, message):
        staff_audit(request, obj, "add", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        staff_audit(request, obj, "change", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            staff_audit(request, obj, "delete")
        return super().log_deletions(request, queryset)


class ReadOnlyAdminMixin:
    """Evidence (archive snapshots, the audit log, bounce events): support staff read
    it, nobody adds, edits or deletes it through the admin, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
