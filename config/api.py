"""The JSON API under /api/v1/ (django-ninja): each app contributes a router; this module
assembles them, authenticates bearer tokens and turns every failure into SPEC's error
envelope `{"error": "<code>", "detail": "<sentence>"}`. The OpenAPI document at
/api/v1/schema is generated from the routers' typed schemas."""

import logging

from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from cleaned.api import router as cleaned_router
from contacts_app.api.auth import ApiTokenAuth
from contacts_app.api.privacy import router as privacy_router
from contacts_app.api.routes import router as contacts_router
from contacts_app.api.schemas import validation_detail
from contacts_app.api.throttling import TokenThrottle
from contacts_app.api.webhooks import EVENTS_DOC
from contacts_app.api.webhooks import router as webhooks_router
from contacts_app.lib.errors import ServiceError
from restore.api import router as restore_router

log = logging.getLogger(__name__)

# The code an integrator can branch on for each status a plain HTTP error carries.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    429: "throttled",
    500: "server_error",
}
STATUS_DETAILS = {
    400: "The request is not valid.",
    401: "Send a valid API token as 'Authorization: Bearer <token>'.",
    403: "Only workspace admins can do this.",
    404: "There is nothing at this address.",
    405: "This method is not allowed on this endpoint.",
    413: "The request body is too large.",
    429: "Too many requests; wait before trying again.",
    500: "Something went wrong on our side; it has been logged.",
}


def error_response(status: int, code: str | None = None, detail: str | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": code or STATUS_CODES.get(status, "error"), "detail": detail or STATUS_DETAILS.get(status, "")},
        status=status,
    )


class Api(NinjaAPI):
    """Paths in the OpenAPI document are relative to its server, /api/v1."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return super().get_openapi_schema(path_prefix="", path_params=path_params)


api = Api(
    title="CRM contact archive & restore API",
    version="1",
    description=(
        "Find, archive and restore contacts, follow restore jobs, export contacts, and post bounce events. "
        "Authenticate with `Authorization: Bearer <token>` (`python manage.py create_api_token`). "
        'Every answer that is not 2xx is `{"error": "<code>", "detail": "<sentence>"}`.' + EVENTS_DOC
    ),
    auth=ApiTokenAuth(),
    throttle=[TokenThrottle()],
    openapi_url="/schema",
    docs_url=None,
    urls_namespace="api",
    servers=[{"url": "/api/v1", "description": "this server"}],
)
api.add_router("", contacts_router)
api.add_router("", restore_router)
api.add_router("", cleaned_router)
api.add_router("", webhooks_router)
api.add_router("", privacy_router)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return error_response(exc.status, exc.code, exc.detail)


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    code, detail = validation_detail(exc.errors)
    return error_response(400, code, detail)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return error_response(401)


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    response = error_response(429)
    if exc.wait:
        response["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja could not parse the body
        return error_response(400, "invalid_json", "The request body is not valid JSON.")
    return error_response(exc.status_code, detail=str(exc) if exc.status_code != 403 else None)


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(404)


@api.exception_handler(Exception)
def server_error(request, exc):
    log.exception("API request %s %s failed", request.method, request.path)
    return error_response(500)
