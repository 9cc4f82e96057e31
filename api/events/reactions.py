"""Reactions: what one context does, inside the same unit of work, when another announces a fact.

The context announcing a fact (stock arrived at a level, an exchange order was cancelled) does
not know who reacts, so it never imports them: each reacting module registers itself with
``reacts_to``, and is named in ``REACTING_MODULES`` so that it is loaded before the first fact
is announced, whichever entry point (API, CLI, a test calling a service) runs the command.
A reaction runs before the command commits: its writes and events land with the fact's, or
nothing does.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from api.db import UnitOfWork

REACTING_MODULES = ("api.orders.backorders", "api.returns.exchanges", "api.notifications.optouts")

Fact = TypeVar("Fact")
Reaction = Callable[["UnitOfWork", Fact], Awaitable[Any]]

_reactions: dict[type, list[Reaction[Any]]] = {}
_loaded = False


def reacts_to(fact_type: type[Fact]) -> Callable[[Reaction[Fact]], Reaction[Fact]]:
    def register(reaction: Reaction[Fact]) -> Reaction[Fact]:
        _reactions.setdefault(fact_type, []).append(reaction)
        return reaction

    return register


async def announce(uow: UnitOfWork, fact: object) -> list[Any]:
    """Runs every reaction to the fact, in registration order, and returns what each answered."""
    global _loaded
    if not _loaded:
        for module in REACTING_MODULES:
            importlib.import_module(module)
        _loaded = True
    return [await reaction(uow, fact) for reaction in _reactions.get(type(fact), ())]
