from __future__ import annotations

import asyncio
import socket

import pytest

from api.webhooks.targets import PinnedRequest, TargetRefused, pinned, refusal_of_literal


@pytest.mark.parametrize(
    ("host", "refused"),
    [
        ("example.com", None),
        ("93.184.216.34", None),
        ("127.0.0.1", "127.0.0.1 is not a public address"),
        ("localhost", "localhost is this machine"),
        ("api.localhost", "api.localhost is this machine"),
        ("[fd00::1]", "fd00::1 is not a public address"),
        ("100.64.0.1", "100.64.0.1 is not a public address"),  # carrier-grade NAT
        ("224.0.0.1", "224.0.0.1 is not a public address"),
        ("[64:ff9b::a00:1]", "64:ff9b::a00:1 is not a public address"),  # NAT64 of 10.0.0.1
        ("[64:ff9b::808:808]", "64:ff9b::808:808 is not a public address"),
        ("[64:ff9b:1::1]", "64:ff9b:1::1 is not a public address"),
        ("[2002:7f00:1::1]", "2002:7f00:1::1 is not a public address"),  # 6to4 of 127.0.0.1
        (
            "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2 is not a public address",
        ),  # Teredo
        ("[::7f00:1]", "::7f00:1 is not a public address"),  # IPv4-compatible
        ("[fec0::1]", "fec0::1 is not a public address"),  # site-local
        ("[::ffff:10.0.0.1]", "::ffff:a00:1 is not a public address"),
        ("[::ffff:8.8.8.8]", None),
        ("[2606:4700::1111]", None),
    ],
)
def test_literal_hosts_are_judged_without_resolving(host: str, refused: str | None) -> None:
    assert refusal_of_literal(host) == refused


async def test_a_public_address_is_requested_directly_under_its_name() -> None:
    target = await pinned("https://93.184.216.34:8443/hooks/oms?x=1")
    assert target == PinnedRequest(
        "https://93.184.216.34:8443/hooks/oms?x=1",
        {"host": "93.184.216.34:8443"},
        {"sni_hostname": "93.184.216.34"},
    )


async def test_a_name_that_resolves_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As when a name is pointed at an internal address after its webhook was registered."""
    answers = {"hooks.example.com": ["203.0.113.9", "93.184.216.34"], "rebound.example.com": ["93.184.216.34", "10.1.2.3"]}  # fmt: skip

    async def resolve(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolve)
    with pytest.raises(TargetRefused) as rebound:
        await pinned("http://rebound.example.com/hook")
    assert str(rebound.value) == "rebound.example.com does not resolve to public addresses only"
    assert "10.1.2.3" not in str(rebound.value), "what internal names resolve to stays unsaid"
    with pytest.raises(TargetRefused) as documentation:  # a documentation range: not global
        await pinned("http://hooks.example.com/hook")
    assert "203.0.113" not in str(documentation.value)


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(TargetRefused, match="does not resolve"):
        await pinned("http://no-such-host.invalid/hook")
