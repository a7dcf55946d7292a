"""Every change support staff make in the Django admin leaves an AuditEvent."""

from django import forms
from django.contrib import admin
from django.db import models

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

    def get_readonly_fields(self, request, obj=None):
        """When a row was created is a fact, not something support edits."""
        fields = list(super().get_readonly_fields(request, obj))
        names = {f.name for f in self.model._meta.fields}
        return fields + ["created_at"] if "created_at" in names and "created_at" not in fields else fields

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


class TenantModelForm(forms.ModelForm):
    """S2 in the admin: every row a tenant-owned row points at (a list, a tag, a form's
    lists) must belong to the same workspace."""

    def clean(self):
        data = super().clean()
        workspace = data.get("workspace") or getattr(self.instance, "workspace", None)
        if workspace is None:
            return data
        for name, value in list(data.items()):  # add_error removes the field from the data
            related = list(value) if isinstance(value, models.QuerySet) else [value]
            strangers = [r for r in related if getattr(r, "workspace_id", workspace.id) != workspace.id]
            if name != "workspace" and strangers:
                self.add_error(name, f"{', '.join(map(str, strangers))} belongs to another workspace.")
        return data


class TenantAdminMixin:
    """A tenant-owned row's workspace is set once, when it is added, then read-only
    (support moved 783 memberships of one customer onto another's list by changing a
    list's workspace); what it points at must be of its workspace."""

    form = TenantModelForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["workspace"] if obj is not None and "workspace" not in fields else fields
