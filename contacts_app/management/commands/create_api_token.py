from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contacts_app.api.auth import api_token_create
from contacts_app.lib.errors import ServiceError
from contacts_app.models import Workspace


class Command(BaseCommand):
    help = "Print a new API token for USER in WORKSPACE (shown once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--user", required=True)

    def handle(self, *args, workspace: str, user: str, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug {workspace!r}.")
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user {user!r}.")
        try:
            self.stdout.write(api_token_create(workspace=ws, user=account))
        except ServiceError as error:
            raise CommandError(error.detail) from None
