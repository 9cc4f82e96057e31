"""Opting out of mail that is not about a transaction (the survey), from the mail itself.

The survey carries ``List-Unsubscribe`` with a link to ``/unsubscribe/<token>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058): a mail client may post to the
link at once, and a person who opens it in a browser is shown a page with one button, so a link
scanner that only fetches it opts nobody out. The token is the customer's id and an HMAC of it
under the secret key; it does not expire (an old mail's link must still work).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.auth import SYSTEM_ACTOR
from api.customers.service import set_preferences
from api.db import Database
from api.errors import NotFound
from api.settings import Settings
from api.signing import digests_match
from api.validation import whole_number

PATH = "/unsubscribe/{token}"


def _token(customer_id: int, secret_key: str) -> str:
    message = f"unsubscribe:{customer_id}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return f"{customer_id}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def unsubscribe_path(customer_id: int, secret_key: str) -> str:
    return PATH.format(token=_token(customer_id, secret_key))


def unsubscribing_customer(token: str, secret_key: str) -> int | None:
    """The customer a genuine token names; None for any other text."""
    customer_id = whole_number(token.split(".", 1)[0], max_digits=12)
    if customer_id is None or not digests_match(_token(customer_id, secret_key), token):
        return None
    return customer_id


def _page(shop: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(shop)}</title></head><body style='font-family:sans-serif;"
        f"max-width:32rem;margin:3rem auto;padding:0 1rem'><h1>{escape(shop)}</h1>{body}"
        "</body></html>",
        status_code=status_code,
        headers={"cache-control": "no-store", "referrer-policy": "no-referrer"},
    )


async def unsubscribe(request: Request) -> Response:
    """GET: the page with its button; POST (the button, or a mail client's one click): the
    customer receives no more surveys."""
    settings: Settings = request.app.state.settings
    database: Database = request.app.state.database
    customer_id = unsubscribing_customer(request.path_params["token"], settings.secret_key)
    if customer_id is None:
        return _page(settings.shop_name, "<p>This link is not valid.</p>", 404)
    if request.method == "GET":
        return _page(
            settings.shop_name,
            "<p>Receive no more surveys after your orders? Mail about your orders themselves "
            "(confirmations, shipping, refunds) still reaches you.</p>"
            "<form method='post'><button type='submit'>Receive no more surveys</button></form>",
        )
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        try:
            await set_preferences(uow, customer_id=customer_id, receives_surveys=False)
        except NotFound:
            return _page(settings.shop_name, "<p>This link is not valid.</p>", 404)
    return _page(settings.shop_name, "<p>Done: you will receive no more surveys.</p>")
