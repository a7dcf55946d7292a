"""Import contacts from a CSV file (header: email and, optionally, first_name,
last_name, phone) into a workspace, through the same service as the contacts page and
the API: each row is a new contact (fires automations, memberships unconfirmed without
consent). A row that cannot be added — an invalid address, one already in the
workspace, one on the suppression list (G2) — is reported with its line and why, and
the others are added."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts_app.lib.errors import ServiceError
from contacts_app.models import Workspace
from contacts_app.services.contacts import contact_create


class Command(BaseCommand):
    help = "Add contacts from a CSV file (email, first_name, last_name, phone) to a workspace."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--workspace", required=True)

    def handle(self, *args, file: str, workspace: str, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        added, refused = 0, 0
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if "email" not in (reader.fieldnames or []):
                raise CommandError(f"{path.name}: the first line must name the columns, with one called email.")
            for row in reader:
                try:
                    contact_create(
                        workspace=ws,
                        email=row.get("email") or "",
                        first_name=row.get("first_name") or "",
                        last_name=row.get("last_name") or "",
                        phone=row.get("phone") or "",
                        actor=None,
                    )
                    added += 1
                except ServiceError as error:
                    refused += 1
                    self.stderr.write(f"{path.name} line {reader.line_num}: {error.detail} ({error.code})")
        self.stdout.write(f"{added} contacts added, {refused} refused.")
