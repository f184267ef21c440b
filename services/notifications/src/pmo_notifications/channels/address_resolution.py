"""Resolving a webhook host and applying the SSRF policy to every address it names."""

from __future__ import annotations

import asyncio
import socket

from pmo_notifications.domain.address_policy import (
    TargetRefused,
    WebhookTarget,
    first_refusal,
    parse_webhook_url,
)


class TargetUnresolvable(TargetRefused):
    """The host name did not resolve: possibly a passing DNS failure, worth retrying."""


async def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in resolver order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


async def vet_webhook_url(url: str, *, allow_private: bool) -> tuple[WebhookTarget, list[str]]:
    """The parsed target and the addresses to connect to; TargetRefused when policy forbids it.

    Every address the name resolves to must be public, otherwise an attacker's DNS could hand
    out a public and a private address and let the connection pick the private one.
    """
    target = parse_webhook_url(url)
    try:
        addresses = await resolve_host(target.host, target.port)
    except (OSError, UnicodeError) as exc:
        raise TargetUnresolvable(
            f"the host name '{target.host}' could not be resolved ({exc})"
        ) from exc
    if not addresses:
        raise TargetUnresolvable(f"the host name '{target.host}' resolves to no address")
    if not allow_private:
        reason = first_refusal(addresses)
        if reason is not None:
            raise TargetRefused(
                f"'{target.host}' resolves to {reason}; webhooks may only target public addresses"
            )
    return target, addresses
