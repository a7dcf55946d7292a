"""Error answers people and integrators see: under /api/ always the API's error object
(what Django or ninja produce before our handlers run too: a wrong method, a body over
the one size limit, a malformed Content-Length, a crash); on pages never a debug page."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

from .api import error_response

log = logging.getLogger(__name__)


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        length = request.META.get("CONTENT_LENGTH", "")
        if length and not (length.isascii() and length.isdigit()):
            return error_response(400, "bad_request", "The Content-Length header is not a number.")
        if length and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return _too_large()
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            envelope = error_response(response.status_code)
            if response.has_header("Allow"):
                envelope["Allow"] = response["Allow"]
            return envelope
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _too_large()
        log.exception("API request %s %s failed", request.method, request.path)
        return error_response(500)


def _too_large():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(413, "body_too_large", f"The request body is larger than {limit:,} bytes.")


DEBUG_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'  # in Django's technical 404 and 500


class PlainNotFoundMiddleware:
    """With DEBUG on (the `bin/run` demo), Django answers a mistyped address with its
    debug page, which lists every URL of the site, and a crash with a traceback. Show
    the product's own 404 and 500 pages instead, as production does (the traceback
    still goes to the log); API answers are JSON already and pass through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code in (404, 500)
            and response.get("Content-Type", "").startswith("text/html")
            and DEBUG_PAGE_MARK in getattr(response, "content", b"")  # Django's own, not a page of ours
        ):
            return render(request, f"{response.status_code}.html", status=response.status_code)
        blank_405 = response.status_code == 405 and not response.content
        if blank_405 and not request.path.startswith(("/api/", "/webhooks/")):
            # A page that answers a form only (a confirmation, a preview), opened by a link
            # or "Go back": a page with a way on, not a blank 405 (U1).
            page = render(request, "405.html", {"section": _section_of(request.path)}, status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


def _section_of(path: str) -> str:
    """The list a POST-only address belongs to: /w/acme/cleaned/archive/confirm/ → /w/acme/cleaned/."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:3]) + "/" if len(parts) >= 3 and parts[0] == "w" else "/"


class Utf8BodiesOnlyMiddleware:
    """S4: a body in another charset than UTF-8 is a 400. Django read a `charset=latin-1`
    form post, then its own 400 handler read it again and crashed (a 500 on the login
    page, the language switch and every POST page, for anyone); an unknown charset
    (`rot13`) broke the provider webhooks the same way."""

    ALLOWED = {"utf-8"}  # Django refuses any other name for a form body, "utf8" and "ascii" too

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = (request.content_params or {}).get("charset", "").strip().lower()
        if request.method not in ("GET", "HEAD", "OPTIONS") and charset and charset not in self.ALLOWED:
            detail = f"The body's charset is {charset!r}: send it as UTF-8."
            if request.path.startswith(("/api/", "/webhooks/")):
                return JsonResponse({"error": "unsupported_charset", "detail": detail}, status=400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class AdminQueryGuardMiddleware:
    """S4 in the Django admin (support staff): its changelist filters hand the query
    string to the database as they are, so a NUL (`?status__exact=%00`) or a year of 30
    digits (`?created_at__year=…`) answered 500. Such a query is a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            for key, values in request.GET.lists():
                bad_part = key.endswith(("__year", "__month", "__day", "__week_day", "__quarter")) and any(
                    not (v.isascii() and v.isdigit() and len(v) <= 4 and 1 <= int(v) < 9999) for v in values
                )
                if bad_part or any("\x00" in v for v in [key, *values]):
                    return HttpResponseBadRequest(
                        f"The filter {key!r} holds a value the admin cannot search for.",
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)
