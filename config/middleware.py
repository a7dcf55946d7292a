"""Every answer under /api/ that is not 2xx is the API's error object, including the
ones Django or ninja produce before our handlers run: a wrong method (405), a body
over the one size limit (413), a malformed Content-Length (400), a crash (500)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

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



