from __future__ import annotations

from api.settings import PROJECT_ROOT
from schema import build_schema


def test_schema_graphql_at_the_root_is_current() -> None:
    exported = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert exported == build_schema().as_str() + "\n", "schema.graphql is stale: run `make schema`"
