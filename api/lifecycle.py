"""Lifecycles: each aggregate's transition table, and the one function that moves its status.

A record's ``status`` is assigned nowhere else (``tests/unit/test_lifecycles.py`` walks the code):
a new record starts in one of its lifecycle's ``initial`` statuses, and every later change goes
through ``move``, which refuses a move the table does not hold with a typed
``IllegalTransition``. ``retired`` statuses stay in the published schema (deprecated) but no
record enters them any more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from api.errors import IllegalTransition

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    noun: str
    """How a refusal names the record: "order", "shipment", "return"…"""
    argument: str
    """The input field a refusal points at (``orderId``)."""
    transitions: Mapping[S, frozenset[S]]
    initial: frozenset[S]
    retired: Mapping[S, str] = field(default_factory=dict)
    """Statuses no record enters any more, each with what took its place."""

    def allows(self, current: S, target: S) -> bool:
        return target in self.transitions[current]

    def sources(self, target: S) -> frozenset[S]:
        """The statuses a record may move to ``target`` from (for guarded bulk updates)."""
        return frozenset(
            status for status, targets in self.transitions.items() if target in targets
        )

    def start(self, status: S) -> S:
        """The status a new record is written with, refused unless the lifecycle begins there."""
        if status not in self.initial:
            raise ValueError(f"a {self.noun} cannot begin {status.value}")
        return status

    def require(self, current: S, target: S, identity: object, *, doing: str | None = None) -> None:
        if self.allows(current, target):
            return
        cannot = f"it cannot be {doing}" if doing else f"it cannot become {target.value}"
        raise IllegalTransition(
            f"{self.noun} {identity} is {current.value}: {cannot}",
            field=[self.argument],
            current=current.value,
            target=target.value,
        )

    def check(self, record: Any, target: S, identity: object, *, doing: str | None = None) -> None:
        """Refuses, before a command changes anything, a move the record could not make."""
        self.require(self.status_of(record), target, identity, doing=doing)

    def move(self, record: Any, target: S, identity: object, *, doing: str | None = None) -> S:
        """Moves the record to ``target`` and answers the status it left."""
        current = self.status_of(record)
        self.require(current, target, identity, doing=doing)
        record.status = target
        return current

    def status_of(self, record: Any) -> S:
        enum = type(next(iter(self.transitions)))
        return enum(record.status)

    def bulk_move(self, among: Iterable[S], target: S) -> dict[str, S]:
        """The column values of an UPDATE that moves every row whose status is ``among`` (its
        WHERE clause) to ``target``: refused unless each of those may move there."""
        illegal = set(among) - self.sources(target)
        if illegal:
            names = ", ".join(sorted(status.value for status in illegal))
            raise ValueError(f"a {self.noun} cannot move from {names} to {target.value}")
        return {"status": target}
