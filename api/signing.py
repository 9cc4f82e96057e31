"""Timed signatures between this API and the systems around it (carriers posting tracking
reports, webhook receivers): the HMAC-SHA256 of ``<unix seconds>.<raw body>`` under a shared
secret, good for ``REPLAY_WINDOW_SECONDS`` either way, so a captured request cannot be replayed
later."""

from __future__ import annotations

import hashlib
import hmac
import time

from api.validation import whole_number

REPLAY_WINDOW_SECONDS = 300


def timed_digest(secret: str, timestamp: int | str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def digests_match(expected: str, given: str) -> bool:
    """A constant-time comparison that takes whatever a caller sent (``hmac.compare_digest``
    refuses text that is not ASCII)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def within_replay_window(timestamp: str, now: float | None = None) -> bool:
    """Whether ``timestamp`` is Unix seconds within ``REPLAY_WINDOW_SECONDS`` of now."""
    seconds = whole_number(timestamp, max_digits=12)
    current = time.time() if now is None else now
    return seconds is not None and abs(current - seconds) <= REPLAY_WINDOW_SECONDS


def timed_signature_valid(
    secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> bool:
    """Whether ``signature`` (hex) signs ``body`` at ``timestamp``, within the replay window."""
    return within_replay_window(timestamp, now) and digests_match(
        timed_digest(secret, timestamp, body), signature
    )
