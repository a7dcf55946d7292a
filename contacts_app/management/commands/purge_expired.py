"""A5 now: purge the contacts archived a year ago or more (beat does it hourly; bin/run
does it before serving, so no past deletion date is ever listed)."""

from django.core.management.base import BaseCommand

from contacts_app.services.purge import contacts_purge_expired


class Command(BaseCommand):
    help = "Permanently delete contacts archived (or merged) one year ago or more (A5)."

    def handle(self, *args, **options):
        self.stdout.write(f"{contacts_purge_expired()} expired contacts purged.")
