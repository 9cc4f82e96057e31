"""The states of pick lists and their tasks."""

from __future__ import annotations

from enum import StrEnum


class PickListStatus(StrEnum):
    OPEN = "OPEN"
    COMPLETED = "COMPLETED"


class PickTaskStatus(StrEnum):
    OPEN = "OPEN"
    PICKED = "PICKED"
    SHORT = "SHORT"
