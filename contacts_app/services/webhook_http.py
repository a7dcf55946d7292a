"""Outgoing webhooks on the wire (W3, W4): the Standard Webhooks v1 signature, the body,
and the HTTP client that posts to an address checked at this very moment."""

import base64
import hashlib
import hmac
import json
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

from .webhook_addresses import addresses_problem, url_problem

RESPONSE_CAP = 1024  # bytes of the receiver's answer kept in the log
USER_AGENT = "crm-webhooks/1 (Standard Webhooks v1)"


class Refused(Exception):
    """W4: the URL may not be delivered to now (a FAILURE_WORDS code and its values)."""

    def __init__(self, code: str, params: dict):
        super().__init__(code)
        self.code, self.params = code, params


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks v1: `v1,` and the base64 HMAC-SHA256 of "id.timestamp.body",
    keyed with the secret's bytes (the base64 after `whsec_`)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def event_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class Sender:
    """HTTP to a pinned address: the host is resolved and checked here, the connection
    goes to the checked address (no second lookup a rebinding DNS could answer
    differently), TLS still verifies the host's name. Never follows redirects; reads at
    most RESPONSE_CAP bytes. Pools are kept for one relay run (keep-alive)."""

    def __init__(self):
        self.pools: dict[tuple, urllib3.HTTPConnectionPool] = {}

    def post(self, url: str, *, body: bytes, headers: dict) -> tuple[int, str]:
        parts = urlsplit(url)
        addresses, problem = addresses_problem(url)
        if problem:
            raise Refused(problem, {"host": parts.hostname})
        if url_problem(url):  # the settings (https only, say) may have changed since it was saved
            raise Refused("refused", {"host": parts.hostname or url})
        address = addresses[0]
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, address, port, parts.hostname)
        pool = self.pools.get(key)
        if pool is None:
            timeout = urllib3.Timeout(connect=min(5.0, settings.WEBHOOK_TIMEOUT), read=settings.WEBHOOK_TIMEOUT)
            if parts.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    port,
                    timeout=timeout,
                    retries=False,
                    server_hostname=parts.hostname,
                    assert_hostname=parts.hostname,
                    cert_reqs="CERT_REQUIRED",
                    ca_certs=certifi.where(),
                )
            else:
                pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
            self.pools[key] = pool
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(RESPONSE_CAP, decode_content=False).decode("utf-8", "replace")
        finally:
            response.close()  # the rest of a long answer is never read
        return response.status, excerpt

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
