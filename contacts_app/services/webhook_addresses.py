"""Outgoing webhooks: where a delivery may go (W4, SSRF). A URL is judged when it is
saved (`url_problem`) and its host's addresses again at every delivery
(`addresses_problem`), so a name that later resolves elsewhere is caught."""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

# W4: beside what `ipaddress` calls private, loopback, link-local, multicast, reserved.
REFUSED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "fd00:ec2::254/128", "64:ff9b::/96")
]


HOST_PATTERN = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")  # a name (IDNA-encoded) or an IP address
METADATA_HOSTS = {"169.254.169.254", "fd00:ec2::254", "metadata.google.internal"}


def address_refused(address: str) -> bool:
    """W4: loopback, private, link-local (169.254.169.254, the clouds' metadata), shared,
    multicast, reserved and unspecified addresses — IPv4-mapped IPv6 read as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or any(ip in network for network in REFUSED_NETWORKS)
    )


def url_problem(url: str) -> str:
    """Why this URL may not receive webhooks ("" when it may), as far as can be told
    when it is saved: the scheme (https only in production), no credentials, and a host
    that is not a refused address written out (127.0.0.1, [::1], 169.254.169.254) nor
    `localhost`. A name is resolved at each delivery, where every address it gives is
    checked (W4): looking it up now would prove nothing about later, and would make
    saving as slow as the DNS."""
    parts = urlsplit(url)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 — raises on a port that is not a number in 0..65535
    except ValueError:
        return _("The URL's port must be a number from 1 to 65535.")
    if parts.scheme not in ("http", "https") or not host:
        if settings.WEBHOOK_HTTPS_ONLY:
            return _("The URL must start with https:// and name a host.")
        return _("The URL must start with http:// or https:// and name a host.")
    if any(ch.isspace() for ch in url) or not HOST_PATTERN.fullmatch(host):
        return _("The URL holds a space or a character a web address cannot have.")
    if host in METADATA_HOSTS:  # the clouds' metadata service: never, whatever the settings
        return _("The host %(host)s is a private or local address; webhooks go to public addresses only.") % {
            "host": host
        }
    if parts.scheme != "https" and settings.WEBHOOK_HTTPS_ONLY:
        return _("Only https:// URLs can receive webhooks.")
    if parts.username or parts.password:
        return _("The URL must not hold a user name or password.")
    if _is_own_host(host):
        return _("%(host)s is this CRM's own address: its events would come back to it.") % {"host": host}
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        try:
            literal_refused = address_refused(host)
        except ValueError:  # a name, not an address
            literal_refused = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
        if literal_refused:
            return _("The host %(host)s is a private or local address; webhooks go to public addresses only.") % {
                "host": host
            }
    return ""


def _is_own_host(host: str) -> bool:
    """W4: this server's own public names (ALLOWED_HOSTS, SITE_URL) — a loop, not a
    receiver. Loopback names are W4's private addresses, judged by that setting."""
    if host in LOOPBACK_NAMES:
        return False
    own = {urlsplit(settings.SITE_URL).hostname or ""} | set(settings.ALLOWED_HOSTS)
    own -= {"*", "", "testserver"}
    return any(host == h.lstrip(".") or (h.startswith(".") and host.endswith(h)) for h in own)


LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def addresses_problem(url: str) -> tuple[list[str], str]:
    """W4 at delivery: the addresses the URL's host resolves to now, and why they may
    not be delivered to, as a FAILURE_WORDS code ("" when they may)."""
    addresses = url_addresses(url)
    if not addresses:
        return [], "not_found"
    metadata = any(a in METADATA_HOSTS for a in addresses)
    if metadata or (not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and any(address_refused(a) for a in addresses)):
        return addresses, "private"
    return addresses, ""


def url_addresses(url: str) -> list[str]:
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def url_ascii(url: str) -> str:
    """An internationalised host written the way DNS reads it (`exämple.com` →
    `xn--exmple-cua.com`), the rest of the URL untouched; a host IDNA cannot encode is
    left as it is, for `url_problem` to refuse."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.isascii():
        return url
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return url
    netloc = parts.netloc
    start = netloc.lower().rfind(host)
    if start < 0:
        return url
    return parts._replace(netloc=netloc[:start] + ascii_host + netloc[start + len(host) :]).geturl()
