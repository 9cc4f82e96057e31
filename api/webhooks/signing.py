"""Signing webhook deliveries, and the check a receiver runs.

``OMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the secret>``.
A receiver recomputes the digest over the raw body it received, compares in constant time, and
refuses a timestamp more than ``api.signing.REPLAY_WINDOW_SECONDS`` away (a captured delivery
replayed later).
"""

from __future__ import annotations

import time

from api.signing import timed_digest, timed_signature_valid

SIGNATURE_HEADER = "OMS-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header's value for ``body`` sent now (or at ``timestamp``)."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={timed_digest(secret, moment, body)}"


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` under ``secret`` within the replay window."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    return timed_signature_valid(secret, parts.get("t", ""), body, parts.get("v1", ""), now)
