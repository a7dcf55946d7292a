"""API tokens: issued once, stored hashed, checked on every API call (S1, S2)."""

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from contacts_app.lib.errors import InvalidInput
from contacts_app.models import ApiToken, WorkspaceMembership


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, workspace, user) -> str:
    """Issue a token; it is shown once and only its hash is kept."""
    if not WorkspaceMembership.objects.filter(workspace=workspace, user=user).exists():
        raise InvalidInput(
            _("%(user)s is not a member of %(workspace)s.") % {"user": user, "workspace": workspace.slug}
        )
    token = "crm_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(workspace=workspace, user=user, key_hash=token_hash(token), prefix=token[:8])
    return token


class ApiTokenAuth(HttpBearer):
    """S1/S2: a token belongs to one user in one workspace. The request carries that
    workspace and membership from here on; every query is scoped by it."""

    openapi_description = "A token printed by `python manage.py create_api_token --workspace SLUG --user USERNAME`."

    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        api_token = (
            ApiToken.objects.select_related("workspace", "user")
            .filter(key_hash=token_hash(token), user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        membership = WorkspaceMembership.objects.filter(workspace=api_token.workspace, user=api_token.user).first()
        if membership is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.membership, request.workspace, request.user = membership, membership.workspace, membership.user
        request.api_token_id = api_token.pk
        return membership


def require_admin(request) -> None:
    """S1: archive, restore and export are for workspace admins."""
    if not request.membership.is_admin:
        raise AuthorizationError(403, "Only workspace admins can do this.")
