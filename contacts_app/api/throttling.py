"""S7: API calls are rate-limited per token, public form submissions and bounce webhook
calls per client address (`lib/client.client_address`: the proxies trusted by setting,
never a header a client wrote). Counted in Django's cache (Redis when CACHE_URL is set,
so every web process shares the count); a throttled call gets 429 with the JSON error
and Retry-After (config/api.py). Rates are settings, checked at start-up
(config/settings.py `envrate`) and read on each call, so a changed setting applies at once.

The count is atomic: each call is one `incr` of the current bucket's counter (Redis
INCRBY; a lock in the local-memory cache), so concurrent clients cannot all read the
same count and all pass, as the read-modify-write of a request history did. The window
slides: the period is counted in ten buckets, the oldest counted whole while any of it
is within the period, so any span of one period holds at most the limit (with one window
and the previous weighed, a burst at a window's end let 114 through 60/min in 60 s)."""

import re
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

from contacts_app.lib.client import client_address

BUCKETS = 10  # a period is counted in ten buckets (a refused client waits at most a tenth too long)
PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """ "N/period" (60/m, 1000/h, 10/5s) → (N, seconds); settings.envrate checked the form."""
    count, multiplier, unit = re.fullmatch(r"([0-9]+)/([0-9]*)([a-z]+)", rate).groups()
    return int(count), int(multiplier or 1) * PERIODS[unit]


class SettingsRateThrottle(BaseThrottle):
    scope = ""
    setting = ""  # the name of the setting holding "N/period"
    timer = time.time

    def __init__(self):
        self.wait_seconds: float | None = None

    def get_ident(self, request) -> str | None:
        return getattr(request, "client_address", None) or client_address(request)

    def get_cache_key(self, request) -> str | None:
        raise NotImplementedError

    def current_rate(self) -> str:
        return getattr(settings, self.setting)

    def _names(self, key: str, period: int) -> tuple[list[str], float, float]:
        """The counters of the current bucket and the BUCKETS before it (newest first),
        the bucket's length and how far into it we are."""
        size = period / BUCKETS
        index, into = divmod(self.timer(), size)
        index = int(index)
        return [f"throttle:{self.scope}:{key}:{period}:{index - i}" for i in range(BUCKETS + 1)], size, into

    def used(self, request) -> int:
        """The calls counted within the period, without counting one more."""
        key = self.get_cache_key(request)
        if key is None:
            return 0
        __, period = rate_parse(self.current_rate())
        names, __, __ = self._names(key, period)
        return sum(cache.get_many(names).values())

    def allow_request(self, request) -> bool:
        key = self.get_cache_key(request)
        if key is None:
            return True
        limit, period = rate_parse(self.current_rate())
        names, size, into = self._names(key, period)  # this bucket's counter first, then the older ones
        current, timeout = names[0], int(period + 2 * size) + 1
        cache.add(current, 0, timeout=timeout)  # creates the counter once; a no-op when it exists
        try:
            count = cache.incr(current)
        except ValueError:  # expired between add and incr
            cache.add(current, 1, timeout=timeout)
            count = 1
        # The oldest bucket is counted whole while any of it lies within the period: a
        # burst at its very end must not count for little (weighing it by the share still
        # inside let ~105 through 60/min). So any span of one period holds at most the
        # limit; a client may wait up to a bucket longer than strictly needed.
        recent = sum(cache.get_many(names[1:]).values())
        if count + recent <= limit:
            self.wait_seconds = None
            return True
        try:
            cache.decr(current)  # a refused call is not counted: the limit is on calls served
        except ValueError:
            pass
        self.wait_seconds = max(1.0, size - into)  # the oldest bucket leaves the period then
        return False

    def wait(self) -> float | None:
        return self.wait_seconds


class TokenThrottle(SettingsRateThrottle):
    """Per API token (every authenticated operation)."""

    scope = "token"
    setting = "THROTTLE_API_TOKEN"

    def get_cache_key(self, request):
        token_id = getattr(request, "api_token_id", None)
        return None if token_id is None else str(token_id)


class ClientThrottle(SettingsRateThrottle):
    """Per client address, for the operations without a token."""

    def get_cache_key(self, request):
        return self.get_ident(request) or "unknown"


class FormSubmissionThrottle(ClientThrottle):
    scope = "form"
    setting = "THROTTLE_FORM_SUBMISSIONS"


class FormPageThrottle(ClientThrottle):
    """The hosted page, per address: a person fills a form in far less often than an
    integration posts to the API (which may relay many visitors from one server)."""

    scope = "form-page"
    setting = "THROTTLE_FORM_PAGE"


class FormTotalThrottle(SettingsRateThrottle):
    """Per form, every address together: `allow_form` is asked once the form is known
    (its integer and public addresses count as one)."""

    scope = "form-total"
    setting = "THROTTLE_FORM_PER_FORM"

    def allow_form(self, request, *, form_id: int) -> bool:
        request.throttled_form_id = form_id
        return self.allow_request(request)

    def get_cache_key(self, request):
        form_id = getattr(request, "throttled_form_id", None)
        return None if form_id is None else str(form_id)


class BounceWebhookThrottle(ClientThrottle):
    scope = "bounces"
    setting = "THROTTLE_BOUNCE_WEBHOOK"


class WebhookCredentialFailures(ClientThrottle):
    """S7: wrong credentials on the provider webhooks, per address (counted only when
    they fail; an address at the limit is refused until its failures age out)."""

    scope = "webhook-credentials"

    def current_rate(self) -> str:
        return f"{settings.WEBHOOK_CREDENTIAL_FAILURES}/m"
