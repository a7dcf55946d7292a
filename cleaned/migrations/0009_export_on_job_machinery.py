from django.db import migrations


class Migration(migrations.Migration):
    """C4/A6: an export's counters take the job machinery's names (total → requested,
    rows → cursor), keeping what existing exports counted."""

    dependencies = [("cleaned", "0008_job_notified_at")]

    operations = [
        migrations.RenameField("exportjob", "total", "requested"),
        migrations.RenameField("exportjob", "rows", "cursor"),
    ]
