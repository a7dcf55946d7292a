"""The archived list's list/tag/account filters read a copy of the open snapshot on
the contact row (P2) instead of hashing the ids of every snapshot row per request.
The `current` flags and their partial indexes, the previous attempt, go."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import contacts_app.lib.fields
from contacts_app.lib.fields import IdSetAgg

GIN = ("snapshot_list_ids", "snapshot_tag_ids")


def backfill(apps, schema_editor):
    """Same expressions as contacts_app.services.snapshot_summary, on the historical models."""
    Contact = apps.get_model("contacts_app", "Contact")
    ArchiveRecord = apps.get_model("contacts_app", "ArchiveRecord")
    open_record = ArchiveRecord.objects.filter(contact_id=OuterRef(OuterRef("id")), restored_at__isnull=True).values(
        "id"
    )

    def ids_of(name, column):
        rows = apps.get_model("contacts_app", name).objects.filter(record_id=Subquery(open_record)).values("record_id")
        return Subquery(rows.annotate(ids=IdSetAgg(column)).values("ids"))

    Contact.objects.filter(status__in=["archived", "merged"]).update(
        snapshot_list_ids=ids_of("ArchivedListMembership", "list_id_snapshot"),
        snapshot_tag_ids=ids_of("ArchivedContactTag", "tag_id_snapshot"),
        snapshot_account_id=Subquery(
            ArchiveRecord.objects.filter(contact_id=OuterRef("id"), restored_at__isnull=True).values(
                "account_id_snapshot"
            )
        ),
    )


def gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the embedded demo) scans; its workspaces are small
    for col in GIN:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS contact_{col}_gin ON contacts_app_contact USING gin ({col})")


def drop_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for col in GIN:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{col}_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts_app", "0008_current_snapshot_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="archivedcontacttag", name="archived_tag_member"),
        migrations.RemoveIndex(model_name="archivedlistmembership", name="archived_list_member"),
        migrations.RemoveIndex(model_name="archiverecord", name="archived_account_member"),
        migrations.RemoveField(model_name="archivedcontacttag", name="current"),
        migrations.RemoveField(model_name="archivedlistmembership", name="current"),
        migrations.AddField(
            model_name="contact",
            name="snapshot_account_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contact",
            name="snapshot_list_ids",
            field=contacts_app.lib.fields.IdSetField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contact",
            name="snapshot_tag_ids",
            field=contacts_app.lib.fields.IdSetField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("snapshot_account_id__isnull", False)),
                fields=["snapshot_account_id", "-archived_at", "-id"],
                name="contact_snapshot_account",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(gin_indexes, drop_gin_indexes),
    ]
