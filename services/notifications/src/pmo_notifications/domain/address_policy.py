"""SSRF policy for webhook targets: http(s) URLs, no credentials, public addresses only."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pmo_notifications.domain.refusal import Refusal

ALLOWED_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
_NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Refusal):
    """A webhook target the policy does not accept."""


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A parsed webhook URL."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        """The Host header the receiver expects (port only when not the scheme's default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def url_via(self, address: str) -> str:
        """The URL that connects to one resolved address rather than resolving the name again."""
        literal = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{literal}:{self.port}{self.path}"


def url_without_secrets(url: str) -> str:
    """A URL target as others than PMO admins see it: scheme and host only.

    Webhook, Slack and Teams URLs often carry their credential in the path or query (a Slack
    incoming webhook is nothing but its path), so neither the delivery log nor the delivery
    events show more of them.
    """
    try:
        target = parse_webhook_url(url)
    except TargetRefused:
        return "(hidden)"
    return f"{target.scheme}://{target.host_header}/..."


def parse_webhook_url(url: str) -> WebhookTarget:
    """Parse a webhook URL, refusing other schemes, credentials and malformed hosts."""
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise TargetRefused("the URL must not contain spaces or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise TargetRefused("only http:// and https:// URLs are accepted")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL must not carry credentials (user:password@)")
    host = parts.hostname
    if not host:
        raise TargetRefused("the URL has no host name")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise TargetRefused("the URL's port is not a number between 0 and 65535") from None
    if port == 0:
        raise TargetRefused("the URL's port must not be 0")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return WebhookTarget(scheme=scheme, host=host, port=port, path=path)


def address_refusal(address: str) -> str | None:
    """Why an IP address may not receive webhooks, or None when it is a public address."""
    try:
        ip: IpAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"'{address}' is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = address_refusal(str(embedded))
            return f"{inner} (embedded in IPv6 {ip})" if inner else None
    category = _non_public_category(ip)
    if category is None:
        return None
    article = "an" if category[0] in "aeiou" else "a"
    return f"{ip} is {article} {category} address"


def first_refusal(addresses: Iterable[str]) -> str | None:
    """The first reason any address is refused (a name must resolve only to public ones)."""
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            return reason
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16) and NAT64 addresses reach an IPv4 host.
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _non_public_category(ip: IpAddress) -> str | None:
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "site-local"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED_ADDRESS_SPACE, "shared"),
        (not ip.is_global, "non-public"),
    )
    for matched, category in checks:
        if matched:
            return category
    return None
