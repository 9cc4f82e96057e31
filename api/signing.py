"""Timed signatures between this API and the systems around it (carriers posting tracking
reports, webhook receivers): the HMAC-SHA256 of ``<unix seconds>.<raw body>`` under a shared
secret, good for ``REPLAY_WINDOW_SECONDS`` either way, so a captured request cannot be replayed
later."""

from __future__ import annotations

import hashlib
import hmac
import time

REPLAY_WINDOW_SECONDS = 300


def timed_digest(secret: str, timestamp: int | str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def timed_signature_valid(
    secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> bool:
    """Whether ``signature`` (hex) signs ``body`` at ``timestamp``, within the replay window."""
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(timed_digest(secret, timestamp, body), signature)
