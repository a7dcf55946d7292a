"""JSON API plumbing: bearer-token auth, JSON errors, body parsing (S1–S4)."""
import hashlib
import json
import secrets
from functools import wraps

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .errors import InvalidInput, ServiceError
from .models import ApiToken, WorkspaceMembership

MAX_BODY = 10 * 1024 * 1024


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, workspace, user) -> str:
    """Issue a token; it is shown once and only its hash is kept."""
    if not WorkspaceMembership.objects.filter(workspace=workspace, user=user).exists():
        raise InvalidInput(f"{user} is not a member of {workspace.slug}.")
    token = "crm_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(workspace=workspace, user=user, key_hash=token_hash(token), prefix=token[:8])
    return token


def error_response(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def _authenticate(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = (
        ApiToken.objects.select_related("workspace", "user")
        .filter(key_hash=token_hash(header[7:].strip()), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    membership = WorkspaceMembership.objects.filter(workspace=token.workspace, user=token.user).first()
    if membership is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return membership


def api_view(*, methods: tuple[str, ...], admin_only: bool = False, public: bool = False):
    def decorator(view):
        @csrf_exempt  # token-authenticated, no cookies: CSRF does not apply
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                response = error_response("method_not_allowed", f"Use {' or '.join(methods)} on this endpoint.", 405)
                response["Allow"] = ", ".join(methods)
                return response
            if not public:
                membership = _authenticate(request)
                if membership is None:
                    return error_response("unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.", 401)
                if admin_only and not membership.is_admin:
                    return error_response("forbidden", "Only workspace admins can do this.", 403)
                request.membership, request.workspace, request.user = membership, membership.workspace, membership.user
            try:
                return view(request, *args, **kwargs)
            except ServiceError as error:
                return error_response(error.code, error.detail, error.status)

        return wrapped

    return decorator


def json_body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise InvalidInput("The request body is too large.", code="too_large")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The request body is not valid JSON.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.", code="invalid_json")
    return data


def id_list(data: dict, key: str) -> list[int]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        raise InvalidInput(f"'{key}' must be a list of positive integer ids.", code="invalid_ids")
    return value
