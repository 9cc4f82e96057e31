"""Which events become which messages, a message's lifecycle, what a mail server's reply means,
and every template rendered in every locale."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from api.errors import IllegalTransition
from api.events.models import EventType
from api.notifications import rendering
from api.notifications.mail import SmtpServer, message_id_header
from api.notifications.rules import (
    MESSAGE,
    NOT_TRANSACTIONAL,
    TOLD_OF,
    is_permanent_refusal,
    kinds_for,
)
from api.notifications.statuses import MessageKind, MessageStatus


@pytest.mark.parametrize(
    ("event_type", "payload", "kinds"),
    [
        ("ORDER_PLACED", {"backorders": {}}, [MessageKind.ORDER_CONFIRMED]),
        ("ORDER_PLACED", {"backorders": {"MUG": 2}},
         [MessageKind.ORDER_CONFIRMED, MessageKind.ORDER_BACKORDERED]),
        ("SHIPMENT_SHIPPED", {}, [MessageKind.SHIPMENT_SHIPPED]),
        ("SHIPMENT_TRACKING_UPDATED", {"applied": True, "status": "OUT_FOR_DELIVERY"},
         [MessageKind.SHIPMENT_OUT_FOR_DELIVERY]),
        ("SHIPMENT_TRACKING_UPDATED", {"applied": False, "status": "OUT_FOR_DELIVERY"}, []),
        ("SHIPMENT_TRACKING_UPDATED", {"applied": True, "status": "IN_TRANSIT"}, []),
        ("SHIPMENT_DELIVERED", {}, [MessageKind.SHIPMENT_DELIVERED]),
        ("ORDER_DELAYED", {}, [MessageKind.ORDER_DELAYED]),
        ("ORDER_CANCELLED", {}, [MessageKind.ORDER_CANCELLED]),
        ("RETURN_APPROVED", {}, [MessageKind.RETURN_APPROVED]),
        ("REFUND_ISSUED", {}, [MessageKind.REFUND_ISSUED]),
        ("FEEDBACK_REQUESTED", {}, [MessageKind.FEEDBACK_REQUESTED]),
        ("ORDER_HELD", {}, []),
        ("INVENTORY_RECEIVED", {}, []),
    ],
)  # fmt: skip
def test_events_become_the_messages_a_customer_should_hear_of(
    event_type: str, payload: dict[str, Any], kinds: list[MessageKind]
) -> None:
    assert kinds_for(event_type, payload) == kinds


def test_the_events_told_of_are_event_types() -> None:
    assert set(EventType) >= TOLD_OF


def test_every_kind_is_told_by_some_event() -> None:
    told = {kind for event in TOLD_OF for kind in kinds_for(event, _payload_telling_all(event))}
    assert told == set(MessageKind)


def _payload_telling_all(event_type: str) -> dict[str, Any]:
    if event_type == EventType.SHIPMENT_TRACKING_UPDATED:
        return {"applied": True, "status": "OUT_FOR_DELIVERY"}
    return {"backorders": {"MUG": 1}}


def test_only_the_survey_may_be_opted_out_of() -> None:
    assert {MessageKind.FEEDBACK_REQUESTED} == NOT_TRANSACTIONAL


def test_a_message_starts_pending_or_suppressed_and_ends_once() -> None:
    assert MESSAGE.initial == {MessageStatus.PENDING, MessageStatus.SUPPRESSED}
    for done in (MessageStatus.SENT, MessageStatus.KEPT, MessageStatus.FAILED):
        assert MESSAGE.allows(MessageStatus.PENDING, done)
        with pytest.raises(IllegalTransition):
            MESSAGE.require(done, MessageStatus.PENDING, 1)
    with pytest.raises(IllegalTransition):
        MESSAGE.require(MessageStatus.SUPPRESSED, MessageStatus.SENT, 1)


@pytest.mark.parametrize(
    ("code", "permanent"), [(550, True), (553, True), (421, False), (451, False), (None, False)]
)
def test_only_a_5xx_reply_refuses_a_mail_for_good(code: int | None, permanent: bool) -> None:
    assert is_permanent_refusal(code) is permanent


def test_smtp_urls_name_the_server_its_security_and_login() -> None:
    assert SmtpServer.parse("smtp://mail.example.com") == SmtpServer(
        "mail.example.com", 587, use_tls=False, start_tls=None, username=None, password=None
    )
    assert SmtpServer.parse("smtps://shop%40example.com:p%3Ass@mail.example.com") == SmtpServer(
        "mail.example.com", 465, use_tls=True, start_tls=None,
        username="shop@example.com", password="p:ss",
    )  # fmt: skip
    plain = SmtpServer.parse("smtp://127.0.0.1:2525?starttls=false")
    assert (plain.port, plain.start_tls) == (2525, False)
    with pytest.raises(ValueError):
        SmtpServer.parse("http://mail.example.com")


def test_every_attempt_of_a_message_carries_the_same_message_id() -> None:
    first = message_id_header(7, "2026-12-07T10:00:00+00:00", "shop.example")
    assert first == message_id_header(7, "2026-12-07T10:00:00+00:00", "shop.example")
    assert first != message_id_header(8, "2026-12-07T10:00:00+00:00", "shop.example")
    assert first.startswith("<") and first.endswith("@shop.example>")


def context(name: str = "Ada Lovelace") -> dict[str, Any]:
    when = datetime(2026, 12, 7, 10, tzinfo=UTC)
    return {
        "locale": "en",
        "shop": {"name": "Demo Shop", "support_email": "help@shop.example"},
        "customer": {"name": name},
        "order": {
            "number": "SO-000042", "placed_at": when, "promised_at": when,
            "lines": [{"name": "Tee M", "sku": "TEE-M", "quantity": 2, "unit_price": 2000,
                       "total": 4000}],
            "subtotal": 4000, "shipping": 499, "tax": 760, "total": 5259,
        },
        "tracking_url": "https://shop.example/track/#42.abc",
        "backorders": [{"name": "Mug", "quantity": 1, "promised_at": when}],
        "shipment": {"carrier": "SWIFTPOST", "service": "STANDARD",
                     "tracking_number": "SP0001", "estimated_delivery_at": when},
        "cancellation": {"reason": "changed their mind"},
        "refund": {"amount": 1999},
        "return_label_url": "https://api.shop.example/labels/returns/3.pdf?expires=1&signature=x",
        "survey_url": "https://shop.example/track/#42.abc",
        "unsubscribe_url": "https://api.shop.example/unsubscribe/9.xyz",
    }  # fmt: skip


@pytest.mark.parametrize("locale", rendering.locales())
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_renders_in_every_locale(kind: MessageKind, locale: str) -> None:
    rendered = rendering.render(kind, locale, context(), "EUR")
    assert rendered.subject and "\n" not in rendered.subject
    assert "SO-000042" in rendered.subject or "SO-000042" in rendered.text
    for body in (rendered.text, rendered.html):
        assert "Ada Lovelace" in body and "shop.example/track/#42.abc" in body
        assert "Tee M" in body
    assert "52.59" in rendered.text.replace(",", ".")


def test_an_order_total_is_written_the_locale_way() -> None:
    english = rendering.render(MessageKind.ORDER_CONFIRMED, "en", context(), "EUR")
    german = rendering.render(MessageKind.ORDER_CONFIRMED, "de", context(), "EUR")
    assert "€52.59" in english.text
    assert "52,59\xa0€" in german.text
    assert "December 7, 2026" in english.text and "7. Dezember 2026" in german.text


def test_the_html_body_escapes_what_customers_typed() -> None:
    rendered = rendering.render(
        MessageKind.ORDER_CONFIRMED, "en", context('<script>alert("x")</script>'), "EUR"
    )
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html


def test_only_the_survey_says_how_to_receive_no_more() -> None:
    for kind in MessageKind:
        values = context() | ({} if kind in NOT_TRANSACTIONAL else {"unsubscribe_url": None})
        rendered = rendering.render(kind, "en", values, "EUR")
        assert ("unsubscribe/9.xyz" in rendered.text) is (kind in NOT_TRANSACTIONAL)


@pytest.mark.parametrize(
    ("wanted", "served"), [("de", "de"), ("de-AT", "de"), ("fr", "en"), (None, "en"), ("x!", "en")]
)
def test_a_customer_reads_the_nearest_locale_with_templates(
    wanted: str | None, served: str
) -> None:
    assert rendering.locale_for(wanted, "en") == served
