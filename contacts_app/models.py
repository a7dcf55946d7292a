"""The CRM core: tenants, contacts and everything a contact is associated with.

Every row belongs to exactly one workspace (S2). Archive snapshots live in
`contacts_app.archive_models` (re-exported here) so that restore can rebuild what
archiving detached.
"""

import functools
import operator
import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts_app.job_models import BackgroundJob
from contacts_app.lib.addresses import EMAIL_MAX_LENGTH
from contacts_app.lib.fields import IdSetField


def _new_webhook_secret() -> str:
    return secrets.token_hex(32)


def suppression_key_new() -> str:
    """G2: the key of the workspace's suppression hashes (random, never shown)."""
    return secrets.token_hex(32)


class Workspace(models.Model):
    """The tenant: one customer's CRM account."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    contact_limit = models.PositiveIntegerField(default=1000, help_text="Billable contacts in the plan.")
    webhook_secret = models.CharField(max_length=128, default=_new_webhook_secret)
    soft_bounce_threshold = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Consecutive soft bounces that clean an address; blank = default."
    )
    suppression_key = models.CharField(max_length=64, default=suppression_key_new, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class WorkspaceMembership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("workspace membership")
        verbose_name_plural = _("workspace memberships")
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="uniq_membership_user_workspace")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Account(models.Model):
    """A company in the CRM (not the tenant)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")


class ContactStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")
    MERGED = "merged", _("Merged")


class EmailStatus(models.TextChoices):
    OK = "ok", _("OK")
    CLEANED = "cleaned", _("Cleaned")


# B1/B2, written once: a contact counts against the plan when it is active and its
# address is deliverable. DELIVERABLE alone is what a restore would add to the bill.
DELIVERABLE = Q(email_status=EmailStatus.OK)
BILLABLE = Q(status=ContactStatus.ACTIVE) & DELIVERABLE


class ContactQuerySet(models.QuerySet):
    def in_workspace(self, workspace):
        return self.filter(workspace=workspace)

    def active(self):
        return self.filter(status=ContactStatus.ACTIVE)

    def archived(self):
        return self.filter(status=ContactStatus.ARCHIVED)

    def sendable(self):
        """A4/C2: only active contacts with a deliverable address ever receive email."""
        return self.filter(DELIVERABLE, status=ContactStatus.ACTIVE)

    def billable(self):
        """B1: active contacts whose email is not cleaned."""
        return self.filter(BILLABLE)

    def search(self, q: str):
        q = (q or "").strip()
        if not q:
            return self
        digits = "".join(ch for ch in q if ch.isdigit()) if PHONE_QUERY.fullmatch(q) else ""
        if len(digits) >= 4:
            # A phone number is searched as a phone only (one condition: the name and email
            # indexes stay usable for every other search), by its digits whatever the
            # spacing; a leading trunk 0 ("06 81…") also finds the international form
            # ("+33 6 81…").
            stripped = F("phone")
            for sign in " -.()+/":
                stripped = Replace(stripped, Value(sign), Value(""))
            national = digits.lstrip("0")
            wanted = Q(phone_digits__contains=digits)
            if len(national) >= 6 and national != digits:
                wanted |= Q(phone_digits__contains=national)
            return self.annotate(phone_digits=stripped).filter(wanted)
        cond = Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        words = q.split()
        if len(words) > 1:  # "ada love", "Lovelace Ada": every word is in the first or last name
            each = [Q(first_name__icontains=word) | Q(last_name__icontains=word) for word in words]
            cond |= functools.reduce(operator.and_, each)
        return self.filter(cond)


PHONE_QUERY = re.compile(r"\+?[0-9][0-9 ().-]*")  # what a person types to find a phone number


class Contact(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    status = models.CharField(max_length=10, choices=ContactStatus.choices, default=ContactStatus.ACTIVE)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # What the open archive snapshot holds, copied onto the row so that the archived
    # list's "was on list / had tag / was at account" filters are tested inline while
    # the list is read in date order, with no join or id hash per page view (P2).
    # Written by the archive, cleared by the restore; the snapshot tables stay the
    # source of truth (restore reads them, never these).
    snapshot_list_ids = IdSetField(null=True, blank=True, editable=False)
    snapshot_tag_ids = IdSetField(null=True, blank=True, editable=False)
    snapshot_account_id = models.BigIntegerField(null=True, blank=True, editable=False)

    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.OK)
    cleaned_at = models.DateTimeField(null=True, blank=True)
    cleaned_reason = models.CharField(max_length=255, blank=True)
    bounce_count = models.PositiveIntegerField(default=0, db_default=0, help_text="Bounces recorded for this address.")
    soft_bounce_streak = models.PositiveSmallIntegerField(
        default=0, db_default=0, help_text="Consecutive soft bounces since the last delivery."
    )
    last_engaged_at = models.DateTimeField(null=True, blank=True, help_text="Last open or click: engagement history.")

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    tags = models.ManyToManyField("Tag", through="ContactTag", related_name="contacts")
    # C6: a contact added to correct a cleaned (typo'd) address; the cleaned one is kept.
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by")

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "workspace",
                condition=~Q(status=ContactStatus.MERGED),
                name="uniq_contact_email_ci_per_workspace",
                violation_error_message="A contact with this email already exists in this workspace.",
            ),
            models.CheckConstraint(
                condition=Q(status=ContactStatus.ARCHIVED, archived_at__isnull=False)
                | ~Q(status=ContactStatus.ARCHIVED),
                name="archived_contact_has_archived_at",
            ),
        ]
        indexes = [
            # Archived list: newest first, and the restorability filters are ranges on archived_at.
            models.Index(fields=["workspace", "status", "-archived_at", "-id"], name="contact_ws_status_arch"),
            # The archived list (archived + merged, R3) ordered by date, read in index order (P2).
            models.Index(
                fields=["workspace", "-archived_at", "-id"],
                condition=Q(status__in=[ContactStatus.ARCHIVED, ContactStatus.MERGED]),
                name="contact_archived_list",
            ),
            # The archived list sorted by email or by name, read in index order (P2).
            models.Index(
                fields=["workspace", "email", "id"],
                condition=Q(status__in=[ContactStatus.ARCHIVED, ContactStatus.MERGED]),
                name="contact_archived_by_email",
            ),
            models.Index(
                fields=["workspace", "last_name", "first_name", "id"],
                condition=Q(status__in=[ContactStatus.ARCHIVED, ContactStatus.MERGED]),
                name="contact_archived_by_name",
            ),
            # Archived cleaned contacts (where C5 lands) in date order.
            models.Index(
                fields=["workspace", "-archived_at", "-id"],
                condition=Q(
                    status__in=[ContactStatus.ARCHIVED, ContactStatus.MERGED], email_status=EmailStatus.CLEANED
                ),
                name="contact_archived_cleaned",
            ),
            # "Was at account": that account's archived contacts, already in date order.
            models.Index(
                fields=["snapshot_account_id", "-archived_at", "-id"],
                condition=Q(snapshot_account_id__isnull=False),
                name="contact_snapshot_account",
            ),
            # GIN indexes on snapshot_list_ids / snapshot_tag_ids: PostgreSQL only, see migration 0009.
            models.Index(fields=["workspace", "status", "email_status"], name="contact_ws_status_email"),
            models.Index(fields=["workspace", "status", "-created_at", "-id"], name="contact_ws_status_created"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_cleaned(self) -> bool:
        return self.email_status == EmailStatus.CLEANED

    @property
    def shows_status_badge(self) -> bool:
        """U2: an active contact whose address bounced reads as "Cleaned" alone, not as
        "Active" beside "Cleaned" (the Contacts list and the contact's page)."""
        return not (self.is_cleaned and self.status == ContactStatus.ACTIVE)


class MailingList(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = _("list")
        verbose_name_plural = _("lists")


class MembershipStatus(models.TextChoices):
    SUBSCRIBED = "subscribed", _("Subscribed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")


class ListMembership(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="list_memberships")
    mailing_list = models.ForeignKey(MailingList, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.SUBSCRIBED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("list membership")
        verbose_name_plural = _("list memberships")
        constraints = [models.UniqueConstraint(fields=["contact", "mailing_list"], name="uniq_list_membership")]
        indexes = [models.Index(fields=["mailing_list", "status"], name="membership_list_status")]

    def __str__(self) -> str:  # the admin's row names: who, on what
        return f"{self.contact_id} on list {self.mailing_list_id} ({self.status})"


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_tag_name_per_workspace")]

    def __str__(self) -> str:
        return self.name


class ContactTag(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="contact_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="contact_tags")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "tag"], name="uniq_contact_tag")]
        indexes = [models.Index(fields=["tag", "contact"], name="contacttag_tag_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} tagged {self.tag_id}"


class Deal(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="deals")
    title = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(default=timezone.now)
    contacts = models.ManyToManyField(Contact, through="DealContact", related_name="deals")

    def __str__(self) -> str:
        return self.title

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")


class DealContact(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_links")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="uniq_deal_contact"),
            models.UniqueConstraint(fields=["deal"], condition=Q(is_primary=True), name="one_primary_contact_per_deal"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on deal {self.deal_id}" + (" (primary)" if self.is_primary else "")


def form_public_id_new() -> str:
    """R9/S3: the address of a public form — random, so forms cannot be enumerated."""
    return secrets.token_urlsafe(16)


class Form(models.Model):
    """A public web form; a submission subscribes the visitor to the form's lists."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="forms")
    public_id = models.CharField(
        max_length=32,
        unique=True,
        default=form_public_id_new,
        editable=False,
        help_text="The form's public address: random, unlike its id, so forms cannot be enumerated.",
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("An inactive form restores nobody."))
    lists = models.ManyToManyField(MailingList, blank=True, related_name="forms", verbose_name=_("lists"))
    ask_first_name = models.BooleanField(_("ask for the first name"), default=True)
    ask_last_name = models.BooleanField(_("ask for the last name"), default=True)
    consent_text = models.CharField(
        _("consent sentence"),
        max_length=500,
        blank=True,
        help_text=_("Beside the box the visitor ticks. Empty: the standard sentence with the workspace's name."),
    )
    thank_you_message = models.TextField(
        _("thank-you message"), max_length=1000, blank=True, help_text=_("Empty: the standard sentence.")
    )
    double_opt_in = models.BooleanField(
        _("double opt-in"),
        default=False,
        help_text=_("The visitor confirms by email before being subscribed to the lists."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")


class Trigger(models.TextChoices):
    CONTACT_CREATED = "contact_created", _("Contact created")
    LIST_SUBSCRIBED = "list_subscribed", _("Subscribed to a list")
    TAG_ADDED = "tag_added", _("Tag added")


class Automation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="automations")
    name = models.CharField(max_length=200)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    trigger_list = models.ForeignKey(MailingList, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    trigger_tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    send_subject = models.CharField(max_length=200, blank=True, help_text="Email sent by this automation, if any.")
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = _("automation")
        verbose_name_plural = _("automations")


class AutomationRun(models.Model):
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="automation_runs")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")

    def __str__(self) -> str:
        return f"Automation {self.automation_id} for contact {self.contact_id}"


class CampaignSend(models.Model):
    """One email queued to one contact, by a campaign or an automation."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sends")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sends")
    automation = models.ForeignKey(Automation, null=True, blank=True, on_delete=models.SET_NULL, related_name="sends")
    mailing_list = models.ForeignKey(MailingList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign send")
        verbose_name_plural = _("campaign sends")

    def __str__(self) -> str:
        return f"{self.subject} to contact {self.contact_id}"


class AuditEvent(models.Model):
    """Who did what to which contacts, when. Written in the same transaction as the change."""

    class Action(models.TextChoices):
        ARCHIVE = "archive", _("Archive")
        RESTORE = "restore", _("Restore")
        AUTO_RESTORE = "auto_restore", _("Automatic restore")
        PURGE = "purge", _("Purge")
        MERGE = "merge", _("Merge")
        CLEAN = "clean", _("Clean")
        UNCLEAN = "unclean", _("Un-clean")
        EXPORT = "export", _("Export")
        CONTACT_CREATE = "contact_create", _("Contact created")
        FORM_CHANGE = "form_change", _("Form changed")
        WEBHOOK_CHANGE = "webhook_change", _("Webhook endpoint changed")
        STAFF_CHANGE = "staff_change", _("Staff change")
        ERASE = "erase", _("Erase")
        SUPPRESSION = "suppression", _("Suppression list changed")

    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="Who acted when not a user (system, webhook).")
    action = models.CharField(max_length=20, choices=Action.choices)
    contact_ids = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    client_address = models.GenericIPAddressField(
        _("client address"), null=True, blank=True, help_text=_("The address of the request that did it.")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        indexes = [models.Index(fields=["workspace", "-created_at"], name="audit_ws_created")]

    def __str__(self) -> str:
        who = self.actor or self.actor_label or "system"
        return f"{self.get_action_display()} by {who} ({self.count})"


class Notice(models.Model):
    """Something a user is told on their next page view in the workspace (R13: a
    restore job finished). Shown once, then marked read."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    message = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "workspace"], condition=Q(read_at__isnull=True), name="notice_unread")]

    def __str__(self) -> str:
        return self.message[:80]


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran its heartbeat task (the health check's
    "age of the newest worker heartbeat")."""

    name = models.CharField(max_length=200, primary_key=True)
    beat_at = models.DateTimeField()


class ApiToken(models.Model):
    """A bearer token for one user in one workspace. Only its SHA-256 is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters of the token, to recognise it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user} in {self.workspace})"

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class ArchiveOutcome(models.TextChoices):
    """A6: what a bulk archive did with each requested contact id."""

    ARCHIVED = "archived", _("Archived")
    NOT_ACTIVE = "not_active", _("Not active (already archived, or merged)")
    NOT_FOUND = "not_found", _("Not found")


class ArchiveJob(BackgroundJob):
    """A1/A6: a bulk archive larger than one chunk, in the background, on the job
    machinery (contacts_app/jobs/kinds.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="archive_jobs")
    selection = models.JSONField(default=dict, blank=True, help_text="How the admin selected the contacts.")
    archived = models.PositiveIntegerField(default=0)
    skipped_not_active = models.PositiveIntegerField(default=0)
    skipped_not_found = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the requester was told it finished.")

    class Meta:
        verbose_name = _("archive job")
        verbose_name_plural = _("archive jobs")
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="archivejob_ws_created"),
            models.Index(fields=["status", "heartbeat_at"], name="archivejob_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"Archive job #{self.number} ({self.status})"

    @property
    def skipped_total(self) -> int:
        return self.skipped_not_active + self.skipped_not_found


class ArchiveJobItem(models.Model):
    """One requested contact id and, once processed, its outcome. A plain integer: it
    may name a contact of another workspace, which comes out as `not_found` (S2)."""

    job = models.ForeignKey(ArchiveJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    contact_id = models.BigIntegerField()
    outcome = models.CharField(max_length=20, blank=True, choices=ArchiveOutcome.choices)  # blank: not processed yet

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="uniq_archive_item_position")]
        indexes = [models.Index(fields=["job", "position"], condition=models.Q(outcome=""), name="archiveitem_pending")]


class JobMetric(models.Model):
    """Operators' counters of the job machinery, shared by every process that runs a job
    (workers on other hosts too): chunk durations by histogram bucket, failures, sweeper
    recoveries. Added to with an atomic upsert outside the chunk's transaction; read by
    /metrics (contacts_app/web/metrics.py)."""

    kind = models.CharField(max_length=40)
    name = models.CharField(max_length=40)
    le = models.CharField(max_length=12, blank=True, help_text="A histogram bucket's upper bound, or blank.")
    value = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "name", "le"], name="uniq_job_metric")]


from contacts_app.archive_models import (  # noqa: E402,F401  (registered with this app)
    ArchivedContactTag,
    ArchivedDealLink,
    ArchivedListMembership,
    ArchiveRecord,
    RestoreSource,
)
from contacts_app.privacy_models import (  # noqa: E402,F401  (registered with this app)
    ErasureJob,
    ErasureJobItem,
    ErasureOutcome,
    Suppression,
    SuppressionSource,
)
from contacts_app.webhook_models import (  # noqa: E402,F401  (registered with this app)
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
