"""Links that open an order as its customer sees it, for the mail the shop sends.

A tracking token is shown once, to whoever placed the order, and kept only as its hash, so the
shop cannot write it into a later mail. A mail carries a link token instead: the order's id and
an HMAC, under the secret key, of that id and the tracking token's hash. It opens what the
tracking token opens, and no more; nobody without the secret key can make one, and one made for
an order stops working if the order's tracking token is ever replaced.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from api.signing import digests_match
from api.validation import whole_number

SEPARATOR = "."
"""Tracking tokens are URL-safe base64, which never holds a dot: a link token always does."""


def link_token(order_id: int, tracking_token_hash: str, secret_key: str) -> str:
    message = f"customer-link:{order_id}:{tracking_token_hash}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return f"{order_id}{SEPARATOR}{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def is_link_token(token: str) -> bool:
    return SEPARATOR in token


def linked_order_id(token: str) -> int | None:
    """The order a link token names (before it is checked)."""
    return whole_number(token.split(SEPARATOR, 1)[0], max_digits=12)


def link_token_valid(token: str, order_id: int, tracking_token_hash: str, secret_key: str) -> bool:
    return digests_match(link_token(order_id, tracking_token_hash, secret_key), token)
