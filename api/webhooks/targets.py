"""Where webhooks may be sent: public addresses only, unless the operator allows private ones.

A partner who may register endpoints could otherwise make the OMS send requests into its own
network (a database's HTTP port, a cloud metadata service). The host is resolved at every
attempt and the request goes to the address that was checked, so a name that later resolves
elsewhere (DNS rebinding) is checked again; TLS still verifies the certificate against the
name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOCAL_NAMES = {"localhost", "localhost.localdomain"}
NOT_REACHABLE_V6 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "64:ff9b::/96",  # NAT64: any IPv4 address, a private one included, behind a gateway
        "64:ff9b:1::/48",  # NAT64 for local use
        "2002::/16",  # 6to4: an IPv4 address inside
        "2001::/32",  # Teredo: an IPv4 address inside
        "::/96",  # IPv4-compatible (deprecated)
        "fec0::/10",  # site-local (deprecated)
    )
)
"""Forms the standard library counts as global that lead to any IPv4 address (a private one
included) or to a site's own network."""


class TargetRefused(Exception):
    """The endpoint resolves to an address webhooks may not reach."""


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if any(address in network for network in NOT_REACHABLE_V6):
            return False
    return address.is_global and not address.is_multicast


def refusal_of_literal(host: str) -> str | None:
    """Why an endpoint written with this host is refused, decided without resolving it: a
    private IP address or a name for this machine. None when the host needs resolving (or is
    a public address)."""
    name = host.strip("[]").lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return f"{host} is this machine"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None
    return None if is_public(address) else f"{address} is not a public address"


@dataclass(frozen=True)
class PinnedRequest:
    """The URL to request (its host replaced by the checked address), and what keeps the
    request addressed to the original name: the Host header and the TLS server name."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


async def pinned(url: str) -> PinnedRequest:
    """Resolves the URL's host and refuses it unless every address it has is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    refused = refusal_of_literal(host)
    if refused:
        raise TargetRefused(refused)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise TargetRefused(f"{host} does not resolve") from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in found]
    # Which address it was stays unsaid: the attempt's error is shown to the webhook's owner,
    # who must not learn what names resolve to inside this network.
    if not addresses or not all(is_public(address) for address in addresses):
        raise TargetRefused(f"{host} does not resolve to public addresses only")
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return PinnedRequest(
        urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        {"host": host_header},
        {"sni_hostname": host} if parts.scheme == "https" else {},
    )
