"""P1 (#26): fewer index entries per restored contact. A restore's update of the contact
row is never HOT (it changes `status`), so PostgreSQL writes the new row version into
every index whose predicate it meets: the snapshot sets' GIN indexes now hold only the
sets that exist (a restored contact's are NULL), the foreign keys' indexes only the rows
that have one, the workspace's own index goes (every other index starts with it), and
the (workspace, status, archived_at) index goes (contact_archived_list serves the
archived_at ranges)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GIN = ("snapshot_list_ids", "snapshot_tag_ids")


def partial_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the embedded demo) has none
    for col in GIN:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{col}_gin")
        schema_editor.execute(
            f"CREATE INDEX contact_{col}_gin ON contacts_app_contact USING gin ({col}) WHERE {col} IS NOT NULL"
        )


def full_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for col in GIN:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{col}_gin")
        schema_editor.execute(f"CREATE INDEX contact_{col}_gin ON contacts_app_contact USING gin ({col})")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts_app", "0026_privacy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(partial_gin_indexes, full_gin_indexes),
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_ws_status_arch",
        ),
        migrations.AlterField(
            model_name="contact",
            name="account",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="contacts",
                to="contacts_app.account",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="archived_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="merged_from",
                to="contacts_app.contact",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="replaces",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="replaced_by",
                to="contacts_app.contact",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="workspace",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contacts",
                to="contacts_app.workspace",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("account__isnull", False)), fields=["account"], name="contact_account"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("archived_by__isnull", False)), fields=["archived_by"], name="contact_archived_by"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)), fields=["merged_into"], name="contact_merged_into"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("replaces__isnull", False)), fields=["replaces"], name="contact_replaces"
            ),
        ),
    ]
