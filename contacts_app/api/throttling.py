"""S7: API calls are rate-limited per token, public form submissions and bounce
webhook calls per client address. Counted in Django's cache (Redis when CACHE_URL is
set, so every web process shares the count); a throttled call gets 429 with the JSON
error and Retry-After (config/api.py). Rates are settings, checked at start-up (config/settings.py
`envrate`) and read on each call, so a changed setting applies at once."""

from django.conf import settings
from ninja.throttling import SimpleRateThrottle


class SettingsRateThrottle(SimpleRateThrottle):
    setting = ""  # the name of the setting holding "N/period"

    def __init__(self):
        pass  # the rate is read per request, so a changed setting applies at once

    def allow_request(self, request) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class TokenThrottle(SettingsRateThrottle):
    """Per API token (every authenticated operation)."""

    scope = "token"
    setting = "THROTTLE_API_TOKEN"

    def get_cache_key(self, request):
        token_id = getattr(request, "api_token_id", None)
        return None if token_id is None else self.cache_format % {"scope": self.scope, "ident": token_id}


class ClientThrottle(SettingsRateThrottle):
    """Per client address, for the operations without a token."""

    def get_cache_key(self, request):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class FormSubmissionThrottle(ClientThrottle):
    scope = "form"
    setting = "THROTTLE_FORM_SUBMISSIONS"


class BounceWebhookThrottle(ClientThrottle):
    scope = "bounces"
    setting = "THROTTLE_BOUNCE_WEBHOOK"
