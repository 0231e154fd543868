"""Where webhooks may go: public addresses only, checked when a URL is subscribed and again at every connection.

A receiver URL is chosen by whoever holds a token, and the worker posts from inside Nexo's network: without these
checks a partner could make Nexo call its database, the cloud metadata service (169.254.169.254) or any internal
port, and read the outcome back from the delivery log. So the host is resolved, *every* address it resolves to must
be public, and the connection goes to the address that was checked (a DNS answer that changes between the check and
the connection cannot redirect it). Redirects are never followed.

``NEXO_WEBHOOKS_ALLOW_PRIVATE_RECEIVERS=1`` admits loopback and private networks, for tests and self-hosted
installations whose receivers live next to Nexo; it is off unless set.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from nexo.platform.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ReceiverRefusedError(Exception):
    """The receiver URL may not be used; the message is safe to show to the partner (it names no address)."""


@dataclass(frozen=True)
class ReceiverPolicy:
    allow_private: bool = False
    https_only: bool = True


@dataclass(frozen=True)
class Target:
    """A checked receiver: the URL to connect to (host replaced by the checked address) and the original host."""

    connect_url: str
    host_header: str
    server_name: str
    https: bool


def receiver_policy(settings: Settings) -> ReceiverPolicy:
    """Public https receivers only, unless the operator admits private networks (plain http then too); plain http
    to public hosts is accepted in development and test only."""
    return ReceiverPolicy(
        allow_private=settings.security.webhooks_allow_private_receivers, https_only=not settings.app.is_development
    )


def is_public(address: IPAddress) -> bool:
    """Only globally routable unicast addresses; IPv4-mapped IPv6 (``::ffff:127.0.0.1``) is refused outright."""
    if isinstance(address, ipaddress.IPv6Address) and (address.ipv4_mapped or address.sixtofour or address.teredo):
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_loopback or address.is_link_local
    )


def split_receiver_url(url: str, policy: ReceiverPolicy) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a syntactically acceptable receiver URL, or ``ReceiverRefusedError``."""
    parts = urlsplit(url)
    allowed = ("https",) if policy.https_only and not policy.allow_private else ("https", "http")
    if parts.scheme not in allowed:
        raise ReceiverRefusedError("use an https URL" if allowed == ("https",) else "use an http(s) URL")
    if not parts.hostname or parts.username or parts.password:
        raise ReceiverRefusedError("use a URL with a host name and no user or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ReceiverRefusedError("the port is not valid") from exc
    return parts.scheme, parts.hostname, port


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ReceiverRefusedError("the host name does not resolve") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ReceiverRefusedError("the host name does not resolve")
    return addresses


async def check_receiver(url: str, policy: ReceiverPolicy) -> Target:
    """Resolve the URL's host and refuse it unless every address is allowed; the target connects to the first."""
    scheme, host, port = split_receiver_url(url, policy)
    addresses = await resolve(host, port)
    if not policy.allow_private and not all(is_public(a) for a in addresses):
        raise ReceiverRefusedError("the host is not a public internet address")
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    parts = urlsplit(url)
    default_port = 443 if scheme == "https" else 80
    netloc = literal if port == default_port else f"{literal}:{port}"
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    connect_url = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(connect_url=connect_url, host_header=host_header, server_name=host, https=scheme == "https")
