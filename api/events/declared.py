"""Events as the contexts declare them: frozen dataclasses, written to the log by one serialiser.

Each context lists its events in its own ``events`` module (``api.orders.events``...), named in
the past tense. A field becomes the payload key of its camel-cased name (``named`` spells one
otherwise, ``from`` being a Python keyword); ``about()`` marks the id of what the event is about,
kept beside the payload rather than in it. The log's JSON is what partners read (webhooks, the
``events`` query, subscriptions), so an event's fields are that JSON's keys, no more, no fewer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar

from api.events.models import EventType

ABOUT = "oms.about"
KEY = "oms.key"
OMITTED_WHEN_NONE = "oms.omitted_when_none"
IN_PAYLOAD = "oms.in_payload"


def about(*, in_payload: bool = False) -> Any:
    """The id of the aggregate the event is about: the event row's ``aggregate_id`` (and a
    payload key too when ``in_payload``)."""
    return field(metadata={ABOUT: True, IN_PAYLOAD: in_payload})


def named(key: str) -> Any:
    """A field written under ``key`` rather than its camel-cased name."""
    return field(metadata={KEY: key})


def omitted_when_none() -> Any:
    """A field the payload carries only when it has a value (an import's ``imported`` mark)."""
    return field(default=None, metadata={OMITTED_WHEN_NONE: True})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


Layout = tuple[tuple[str, str, bool], ...]
_LAYOUTS: dict[type, Layout | None] = {}


def _layout(kind: type) -> Layout | None:
    """(attribute, payload key, omitted when None) of each payload field of ``kind``; None
    when ``kind`` is not a declared record."""
    if kind in _LAYOUTS:
        return _LAYOUTS[kind]
    layout = _LAYOUTS[kind] = _written_fields(kind) if is_dataclass(kind) else None
    return layout


def _written_fields(kind: type) -> Layout:
    return tuple(
        (
            each.name,
            each.metadata.get(KEY, _camel(each.name)),
            bool(each.metadata.get(OMITTED_WHEN_NONE)),
        )
        for each in fields(kind)
        if not each.metadata.get(ABOUT) or each.metadata.get(IN_PAYLOAD)
    )


_ABOUT: dict[type, str] = {}
_ATTRIBUTES: dict[type, tuple[str, ...]] = {}


def _about(kind: type) -> str:
    """The attribute of ``kind`` that names what its events are about."""
    if kind not in _ABOUT:
        _ABOUT[kind] = next(each.name for each in fields(kind) if each.metadata.get(ABOUT))
    return _ABOUT[kind]


def _attributes(kind: type) -> tuple[str, ...]:
    if kind not in _ATTRIBUTES:
        _ATTRIBUTES[kind] = tuple(each.name for each in fields(kind))
    return _ATTRIBUTES[kind]


_WRITTEN_AS_THEY_ARE = frozenset({int, str, bool, float, type(None)})


def as_json(value: Any) -> Any:
    """A value as the log stores it: declared records as objects of their payload keys, enums
    as their values, moments as ISO 8601."""
    kind = type(value)
    if kind in _WRITTEN_AS_THEY_ARE:  # most values: decided by one set lookup
        return value
    layout = _layout(kind)
    if layout is not None:
        written: dict[str, Any] = {}
        for attribute, key, omitted in layout:
            item = getattr(value, attribute)
            if item is None and omitted:
                continue
            written[key] = as_json(item)
        return written
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value


@dataclass(frozen=True, kw_only=True)
class LevelMentioned:
    """An inventory level an event lists: whoever follows the level hears of the event."""

    location_id: int
    sku_id: int


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    type: ClassVar[EventType]
    aggregate_type: ClassVar[str]

    @property
    def aggregate_id(self) -> int:
        return int(getattr(self, _about(type(self))))

    @property
    def payload(self) -> dict[str, Any]:
        written: dict[str, Any] = as_json(self)
        return written

    @property
    def order_concerned(self) -> int | None:
        """The order the event concerns: its own aggregate, or the order (``order_id``) of the
        shipment it is about."""
        if self.aggregate_type == "order":
            return self.aggregate_id
        concerned = getattr(self, "order_id", None)
        return concerned if isinstance(concerned, int) else None

    def levels_listed(self) -> list[tuple[int, int]]:
        """The (location id, SKU id) of each inventory level the event lists."""
        found = []
        for attribute in _attributes(type(self)):
            value = getattr(self, attribute)
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, LevelMentioned):
                    found.append((item.location_id, item.sku_id))
        return found


@dataclass(frozen=True, kw_only=True)
class InventoryLevelChanged(DomainEvent):
    """Stock at a level moved in a command whose own events do not list the level: the unit of
    work writes it (``UnitOfWork.level_changed``)."""

    type = EventType.INVENTORY_LEVEL_CHANGED
    aggregate_type = "inventory_level"
    level_id: int = about()
    location_id: int
    sku_id: int

    def levels_listed(self) -> list[tuple[int, int]]:
        return [(self.location_id, self.sku_id)]
