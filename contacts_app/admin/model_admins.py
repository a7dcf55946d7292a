from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts_app.admin.audit import AuditedModelAdmin, ReadOnlyAdminMixin, ReadOnlyInline, TenantAdminMixin
from contacts_app.admin.jobs import JobAdmin
from contacts_app.associations import ASSOCIATION_KINDS
from contacts_app.lifecycle import restorable_from
from contacts_app.models import (
    Account,
    ApiToken,
    ArchiveJob,
    ArchiveRecord,
    AuditEvent,
    Automation,
    AutomationRun,
    CampaignSend,
    Contact,
    ContactStatus,
    ContactTag,
    Deal,
    DealContact,
    ErasureJob,
    Form,
    ListMembership,
    MailingList,
    Suppression,
    Tag,
    Workspace,
    WorkspaceMembership,
)
from contacts_app.services.archive_jobs import ARCHIVE_JOBS, archive_request
from contacts_app.services.contacts import contact_update
from contacts_app.services.erasure_jobs import ERASURE_JOBS


class MembershipInline(admin.TabularInline):
    model = WorkspaceMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "contact_limit", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    readonly_fields = ["webhook_secret"]

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every URL and routes the bounce webhooks: set once, when added.
        fields = super().get_readonly_fields(request, obj)  # created_at: AuditedModelAdmin's
        return [*fields, "slug"] if obj is not None else fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields


@admin.register(WorkspaceMembership)
class WorkspaceMembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__slug"]
    autocomplete_fields = ["user", "workspace"]


class ListMembershipInline(ReadOnlyInline):
    model = ListMembership
    fields = ["mailing_list", "status", "created_at"]


class ContactTagInline(ReadOnlyInline):
    model = ContactTag
    fields = ["tag", "created_at"]


class DealLinkInline(ReadOnlyInline):
    model = DealContact
    fk_name = "contact"
    fields = ["deal", "is_primary"]


class ArchiveRecordInline(ReadOnlyInline):
    model = ArchiveRecord
    fk_name = "contact"
    fields = ["archived_at", "archived_by", "account_name", "restored_at", "restored_by", "restore_source"]
    show_change_link = True


@admin.register(Contact)
class ContactAdmin(AuditedModelAdmin):
    """S8: support staff see everything but cannot bypass the rules. The tenant, the
    address, the lifecycle and the bounce state are read-only here; names and phone of
    an active, deliverable contact are edited through the same service as the pages
    (C2 included), and archiving is an admin action that calls the archive service."""

    list_display = [
        "email",
        "first_name",
        "last_name",
        "workspace",
        "status",
        "email_status",
        "archived_at",
        "created_at",
    ]
    list_filter = ["status", "email_status", "workspace"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["workspace"]
    fields = [
        "workspace",
        "email",
        "first_name",
        "last_name",
        "phone",
        "account",
        "status",
        "archived_at",
        "archived_by",
        "merged_into",
        "email_status",
        "cleaned_at",
        "cleaned_reason",
        "bounce_count",
        "soft_bounce_streak",
        "last_engaged_at",
        "created_at",
        "updated_at",
    ]
    protected_fields = [
        "workspace",
        "email",
        "account",
        "status",
        "archived_at",
        "archived_by",
        "merged_into",
        "email_status",
        "cleaned_at",
        "cleaned_reason",
        "bounce_count",
        "soft_bounce_streak",
        "last_engaged_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
    inlines = [ListMembershipInline, ContactTagInline, DealLinkInline, ArchiveRecordInline]
    show_full_result_count = False
    actions = ["archive_contacts"]

    def has_add_permission(self, request):
        return False  # contacts are added in their workspace, where the rules apply

    def has_delete_permission(self, request, obj=None):
        return False  # deletion is the purge's (A5)

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.status != ContactStatus.ACTIVE or obj.is_cleaned:
            return self.fields  # C2: a cleaned (or archived, merged) contact is not edited
        return self.protected_fields

    def save_model(self, request, obj, form, change):
        contact_update(
            contact=obj,
            email=obj.email,
            first_name=obj.first_name,
            last_name=obj.last_name,
            phone=obj.phone,
            actor=request.user,
        )

    @admin.action(description=gettext_lazy("Archive selected contacts…"))
    def archive_contacts(self, request, queryset):
        """A1 after a confirmation page (how many, the 30-day freeze); A6 here too: a
        workspace's share over one chunk becomes an archive job."""
        if request.POST.get("post") != "yes":
            now = timezone.now()
            return TemplateResponse(
                request,
                "admin/archive_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Archive contacts"),
                    "queryset": queryset,
                    "count": queryset.count(),
                    "active": queryset.filter(status="active").count(),
                    "restorable_from": restorable_from(now),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        archived, skipped, jobs = 0, 0, []
        for workspace_id in queryset.order_by().values_list("workspace_id", flat=True).distinct():
            ids = list(queryset.filter(workspace_id=workspace_id).values_list("id", flat=True))
            result = archive_request(
                workspace=Workspace.objects.get(id=workspace_id),
                actor=request.user,
                contact_ids=ids,
                selection={"admin": len(ids)},
            )
            archived += result.archived
            skipped += result.skipped
            if result.job is not None:
                jobs.append(f"#{result.job.number} ({result.job.workspace.slug})")
        text = _("Archived %(n)s contact(s).") % {"n": archived}
        if skipped:
            text += " " + _("%(n)s were not active and were left as they were.") % {"n": skipped}
        if jobs:
            text += " " + _("Archive job(s) %(jobs)s archive the rest in the background.") % {"jobs": ", ".join(jobs)}
        self.message_user(request, text, messages.SUCCESS)


def _snapshot_inline(kind):
    return type(
        f"Archived{kind.label}Inline", (ReadOnlyInline,), {"model": kind.snapshot, "fields": list(kind.snapshot_fields)}
    )


@admin.register(ArchiveRecord)
class ArchiveRecordAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Archive snapshots are evidence: support staff read them, never edit them. One
    inline per association kind kept in its own table (the account is on the record)."""

    list_display = [
        "contact",
        "workspace",
        "archived_at",
        "archived_by",
        "account_name",
        "restored_at",
        "restore_source",
    ]
    list_filter = ["workspace", ("restored_at", admin.EmptyFieldListFilter)]
    search_fields = ["contact__email"]
    list_select_related = ["contact", "workspace", "archived_by"]
    inlines = [_snapshot_inline(kind) for kind in ASSOCIATION_KINDS if kind.snapshot is not ArchiveRecord]


@admin.register(MailingList)
class MailingListAdmin(TenantAdminMixin, AuditedModelAdmin):
    list_display = ["name", "workspace", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name"]


@admin.register(ListMembership)
class ListMembershipAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """Read-only: a membership's status follows the rules (C1: bounced while cleaned)."""

    list_display = ["contact", "mailing_list", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["contact__email", "mailing_list__name"]
    raw_id_fields = ["contact", "mailing_list"]
    list_select_related = ["contact", "mailing_list"]


@admin.register(Tag)
class TagAdmin(TenantAdminMixin, AuditedModelAdmin):
    list_display = ["name", "workspace"]
    list_filter = ["workspace"]
    search_fields = ["name"]


@admin.register(Account)
class AccountAdmin(TenantAdminMixin, AuditedModelAdmin):
    list_display = ["name", "workspace", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name"]


class DealContactInline(ReadOnlyInline):
    """Linking a contact to a deal happens in the product (it checks the workspace)."""

    model = DealContact
    fields = ["contact", "is_primary", "created_at"]


@admin.register(Deal)
class DealAdmin(TenantAdminMixin, AuditedModelAdmin):
    list_display = ["title", "workspace", "value", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["title"]
    inlines = [DealContactInline]


@admin.register(Form)
class FormAdmin(TenantAdminMixin, AuditedModelAdmin):
    list_display = ["name", "workspace", "public_id", "is_active", "double_opt_in", "created_at"]
    readonly_fields = ["public_id", "created_at", "updated_at"]  # S3: the public address is given, never typed
    list_filter = ["is_active", "workspace"]
    search_fields = ["name"]
    filter_horizontal = ["lists"]


@admin.register(Automation)
class AutomationAdmin(TenantAdminMixin, AuditedModelAdmin):
    list_display = ["name", "workspace", "trigger", "trigger_list", "trigger_tag", "is_active"]
    list_filter = ["trigger", "is_active", "workspace"]
    search_fields = ["name"]


@admin.register(AutomationRun)
class AutomationRunAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """What an automation did: a record, not something support edits (S2, S8)."""

    list_display = ["automation", "contact", "trigger", "created_at"]
    list_filter = ["trigger"]
    search_fields = ["contact__email", "automation__name"]
    raw_id_fields = ["contact"]
    list_select_related = ["automation", "contact"]


@admin.register(CampaignSend)
class CampaignSendAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """What was sent: a record (a send pointing at another workspace's contact was
    addable here)."""

    list_display = ["subject", "contact", "workspace", "automation", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["contact__email", "subject"]
    raw_id_fields = ["contact"]
    list_select_related = ["contact", "workspace", "automation"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log is append-only, even for superusers."""

    list_display = ["created_at", "workspace", "action", "actor", "actor_label", "count", "client_address"]
    list_filter = ["action", "workspace"]
    search_fields = ["actor__username", "actor_label"]
    date_hierarchy = "created_at"
    list_select_related = ["workspace", "actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["prefix", "user", "workspace", "created_at", "last_used_at"]
    list_filter = ["workspace"]
    search_fields = ["user__username", "prefix"]
    # S2: a token keeps its user and workspace (re-pointed here, it acted as an admin of
    # another customer); support may only look, or delete it to revoke it.
    readonly_fields = ["user", "workspace", "key_hash", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued with `manage.py create_api_token`, which shows them once


@admin.register(ArchiveJob)
class ArchiveJobAdmin(JobAdmin):
    """Support staff see stuck bulk archives and cancel or retry them (archived contacts stay archived)."""

    kind = ARCHIVE_JOBS
    counters = ["archived", "skipped_total"]


@admin.register(ErasureJob)
class ErasureJobAdmin(JobAdmin):
    """G1: support staff see stuck bulk erasures and cancel or retry them (erased contacts stay erased)."""

    kind = ERASURE_JOBS
    counters = ["erased", "skipped_total"]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """G2: support staff read the suppression list; admins change it on their Privacy page."""

    list_display = ["workspace", "source", "address", "created_at"]
    list_filter = ["source", "workspace"]
    search_fields = ["=address"]
    list_select_related = ["workspace"]
    readonly_fields = [f.name for f in Suppression._meta.fields]
