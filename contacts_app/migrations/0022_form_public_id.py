import secrets

from django.db import migrations, models

import contacts_app.models


def fill(apps, schema_editor):
    Form = apps.get_model("contacts_app", "Form")
    for form in Form.objects.filter(public_id__isnull=True).only("id"):
        form.public_id = secrets.token_urlsafe(16)
        form.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("contacts_app", "0021_job_numbers_per_workspace")]

    operations = [
        migrations.AddField(model_name="form", name="public_id", field=models.CharField(max_length=32, null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="form",
            name="public_id",
            field=models.CharField(
                default=contacts_app.models.form_public_id_new,
                editable=False,
                help_text="The form's public address: random, unlike its id, so forms cannot be enumerated.",
                max_length=32,
                unique=True,
            ),
        ),
    ]
