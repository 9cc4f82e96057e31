"""Signing webhook deliveries, and the check a receiver runs.

``OMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the secret>``.
A receiver recomputes the digest over the raw body it received, compares in constant time, and
refuses a timestamp older than ``REPLAY_WINDOW_SECONDS`` (a captured delivery replayed later).
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "OMS-Signature"
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header's value for ``body`` sent now (or at ``timestamp``)."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` under ``secret`` within the replay window."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    moment, signature = parts.get("t", ""), parts.get("v1", "")
    if not moment.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(moment)) > REPLAY_WINDOW_SECONDS:
        return False
    expected = sign(secret, body, int(moment)).split("v1=", 1)[1]
    return hmac.compare_digest(expected, signature)
