"""Error answers people and integrators see: under /api/ always the API's error object
(what Django or ninja produce before our handlers run too: a wrong method, a body over
the one size limit, a malformed Content-Length, a crash); on pages never a debug page."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
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
        ):
            return render(request, f"{response.status_code}.html", status=response.status_code)
        return response
