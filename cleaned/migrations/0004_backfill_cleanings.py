"""C7/C8 for what was cleaned before evidence was kept: each cleaned contact gets the
record of its cleaning (class "not stated", the provider of its last bounce), without
the prior membership statuses, which were never recorded (un-cleaning it leaves its
memberships bounced: docs/decisions.md). Delivered events get their class."""

import re

from django.db import migrations
from django.utils import timezone

CODE = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")


def forwards(apps, schema_editor):
    Contact = apps.get_model("contacts_app", "Contact")
    BounceEvent = apps.get_model("cleaned", "BounceEvent")
    Cleaning = apps.get_model("cleaned", "Cleaning")
    BounceEvent.objects.filter(type="delivered").update(bounce_class="delivered")
    BounceEvent.objects.filter(provider="file").update(source="file")
    rows = []
    for c in (
        Contact.objects.filter(email_status="cleaned")
        .only("id", "workspace_id", "cleaned_at", "cleaned_reason")
        .iterator()
    ):
        last = BounceEvent.objects.filter(contact_id=c.id).exclude(type="delivered").order_by("-occurred_at").first()
        match = CODE.search(c.cleaned_reason or "")
        rows.append(
            Cleaning(
                workspace_id=c.workspace_id,
                contact_id=c.id,
                cleaned_at=c.cleaned_at or timezone.now(),
                event=last,
                provider=last.provider if last else "unknown",
                bounce_class="undetermined",
                code=match.group(1) if match else "",
            )
        )
        if len(rows) >= 1000:
            Cleaning.objects.bulk_create(rows)
            rows = []
    Cleaning.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("cleaned", "0003_evidence_cleanings_incident_reverts"),
        ("contacts_app", "0015_alter_auditevent_action"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
