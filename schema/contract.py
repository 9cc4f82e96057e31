"""The published schema as a contract: what a change would break for clients built on it."""

from __future__ import annotations

from graphql import build_schema, find_breaking_changes, find_dangerous_changes


def contract_changes(published_sdl: str, current_sdl: str) -> tuple[list[str], list[str]]:
    """(breaking, dangerous) changes from the published schema to the current one."""
    published, current = build_schema(published_sdl), build_schema(current_sdl)
    breaking = [
        f"{c.type.name}: {c.description}" for c in find_breaking_changes(published, current)
    ]
    dangerous = [
        f"{c.type.name}: {c.description}" for c in find_dangerous_changes(published, current)
    ]
    return breaking, dangerous
