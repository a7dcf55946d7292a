"""S7: the one place that knows a request's client address. Axes (login lockout),
every throttle and the audit log read it from here, so a header a client may forge is
trusted exactly as far as the proxies in front of us are.

`TRUSTED_PROXY_COUNT` (env `PROXY_COUNT`, default 0) is how many proxies each append
the address they received from to `X-Forwarded-For`: with 0 the header is ignored and
the client is `REMOTE_ADDR`; with N the client is the N-th address from the right (the
one our outermost proxy saw), and whatever a client wrote to the left of it is ignored.
A request with fewer entries than N did not come through the proxies: its
`REMOTE_ADDR` is the client. An entry that is not an IP address is never used."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

_current: ContextVar[str] = ContextVar("client_address", default="")


def _ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's IP address as written above ("" when there is none to trust)."""
    remote = _ip(request.META.get("REMOTE_ADDR")) or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    entries = forwarded.split(",")
    if len(entries) < proxies:
        return remote
    return _ip(entries[-proxies]) or remote


def current_client_address() -> str:
    """The address of the request being served ("" in a worker or a command)."""
    return _current.get()


class ClientAddressMiddleware:
    """Reads the address once per request, for the code that has no request (audit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_address = client_address(request)
        token = _current.set(request.client_address)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
