"""Trigram indexes for the name/email search on big workspaces (P2). They match the
SQL Django emits for icontains on PostgreSQL: UPPER(col::text) LIKE UPPER(%s).
Nothing to do on SQLite."""

from django.db import migrations

COLUMNS = ("email", "first_name", "last_name")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for col in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS contact_{col}_trgm ON contacts_app_contact USING gin ((UPPER("{col}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for col in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{col}_trgm")


class Migration(migrations.Migration):
    dependencies = [("contacts_app", "0003_contact_bounce_fields")]
    operations = [migrations.RunPython(forwards, backwards)]
