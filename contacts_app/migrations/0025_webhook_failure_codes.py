"""U7: webhook failures stored as codes and values (put in words when shown), and each
attempt's number. Sentences stored before this are kept, as their own words."""

from django.db import migrations, models


def sentences_to_codes(apps, schema_editor):
    for name, old, code, params in (
        ("WebhookAttempt", "error", "error_code", "error_params"),
        ("WebhookDelivery", "last_error", "last_error_code", "last_error_params"),
        ("WebhookEndpoint", "disabled_reason", "disabled_code", "disabled_params"),
    ):
        model = apps.get_model("contacts_app", name)
        for row in model.objects.exclude(**{old: ""}).only("id", old):
            model.objects.filter(id=row.id).update(**{code: "other", params: {"reason": getattr(row, old)}})


class Migration(migrations.Migration):
    dependencies = [("contacts_app", "0024_outgoing_webhooks")]

    operations = [
        migrations.AddField("webhookattempt", "number", models.PositiveIntegerField(default=1)),
        migrations.AddField("webhookattempt", "error_code", models.CharField(blank=True, max_length=20)),
        migrations.AddField("webhookattempt", "error_params", models.JSONField(blank=True, default=dict)),
        migrations.AddField("webhookdelivery", "last_error_code", models.CharField(blank=True, max_length=20)),
        migrations.AddField("webhookdelivery", "last_error_params", models.JSONField(blank=True, default=dict)),
        migrations.AddField("webhookendpoint", "disabled_code", models.CharField(blank=True, max_length=20)),
        migrations.AddField("webhookendpoint", "disabled_params", models.JSONField(blank=True, default=dict)),
        migrations.AddField("webhookendpoint", "language", models.CharField(blank=True, max_length=10)),
        migrations.RunPython(sentences_to_codes, migrations.RunPython.noop),
        migrations.RemoveField("webhookattempt", "error"),
        migrations.RemoveField("webhookdelivery", "last_error"),
        migrations.RemoveField("webhookendpoint", "disabled_reason"),
    ]
