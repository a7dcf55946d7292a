"""S5: the generic bounce webhook's HMAC-SHA256 signature and replay window."""

import hashlib
import hmac
import time

from contacts_app.lib.hygiene import parse_positive_int

REPLAY_WINDOW = 300  # seconds


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_problem(
    *, secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> str | None:
    """None when the request is authentic and fresh, otherwise why not."""
    seconds = parse_positive_int(timestamp)
    if seconds is None:
        return "X-Timestamp must be the Unix time in seconds."
    if abs((now or time.time()) - seconds) > REPLAY_WINDOW:
        return "X-Timestamp is more than 5 minutes away from now: refused as a possible replay."
    if not signature.isascii() or not hmac.compare_digest(
        sign(secret=secret, timestamp=timestamp, body=body), signature
    ):
        return "X-Signature does not match the body."
    return None
