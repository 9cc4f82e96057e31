"""Reads of messages: filtered pages and DataLoader batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from api.notifications.models import Message, MessageAttempt
from api.reads import Reader, columns, load_by_key, load_groups


@dataclass(frozen=True)
class MessageFilter:
    statuses: Sequence[str] | None = None
    kinds: Sequence[str] | None = None
    order_id: int | None = None
    recipient: str | None = None


def messages_query(criteria: MessageFilter) -> Select[Any]:
    statement = select(*columns(Message))
    if criteria.statuses:
        statement = statement.where(col(Message.status).in_(criteria.statuses))
    if criteria.kinds:
        statement = statement.where(col(Message.kind).in_(criteria.kinds))
    if criteria.order_id is not None:
        statement = statement.where(col(Message.order_id) == criteria.order_id)
    if criteria.recipient:
        statement = statement.where(col(Message.recipient) == criteria.recipient.strip().lower())
    return statement


async def messages_by_id(reader: Reader, ids: Sequence[int]) -> list[Message | None]:
    return await load_by_key(reader, Message, col(Message.id), ids)


async def messages_by_order_id(reader: Reader, ids: Sequence[int]) -> list[list[Message]]:
    return await load_groups(reader, Message, col(Message.order_id), ids, order_by=col(Message.id))


async def attempts_by_message_id(reader: Reader, ids: Sequence[int]) -> list[list[MessageAttempt]]:
    return await load_groups(
        reader,
        MessageAttempt,
        col(MessageAttempt.message_id),
        ids,
        order_by=col(MessageAttempt.id),
    )
