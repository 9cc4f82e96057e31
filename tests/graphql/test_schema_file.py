from __future__ import annotations

from api.app import schema_sdl
from api.settings import PROJECT_ROOT


def test_schema_graphql_at_the_root_is_current() -> None:
    exported = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert exported == schema_sdl(), "schema.graphql is stale: run `make schema`"
