from __future__ import annotations

import pytest

from api.errors import InvalidId, InvalidInput
from schema.http import GRAPHQL_RESPONSE_JSON, HTML, JSON, negotiate
from schema.relay import decode_id, encode_global_id, parse_global_id


@pytest.mark.parametrize(
    ("accept", "method", "expected"),
    [
        (None, "POST", JSON),
        ("application/graphql-response+json", "POST", GRAPHQL_RESPONSE_JSON),
        (
            "application/json;q=0.5, application/graphql-response+json;q=0.9",
            "POST",
            GRAPHQL_RESPONSE_JSON,
        ),
        ("*/*", "POST", JSON),
        ("text/html", "GET", HTML),
        ("text/html", "POST", None),
        ("application/xml", "POST", None),
        ("application/json;q=0", "POST", None),
    ],
)
def test_negotiate(accept: str | None, method: str, expected: str | None) -> None:
    assert negotiate(accept, method=method) == expected


def test_global_ids_are_opaque_and_typed() -> None:
    encoded = encode_global_id("Location", 42)
    assert "42" not in encoded
    assert parse_global_id(encoded) == ("Location", 42)
    assert decode_id(encoded, "Location", "locationId") == 42
    with pytest.raises(InvalidId) as wrong_type:
        decode_id(encoded, "Sku", "skuId")
    assert wrong_type.value.field == ["skuId"]


@pytest.mark.parametrize(
    "value", ["", "%%%", "bm9jb2xvbg==", encode_global_id("X", 1)[:-3], "TG9jYXRpb246LTE="]
)
def test_malformed_global_ids_do_not_parse(value: str) -> None:
    parsed = parse_global_id(value)
    assert parsed is None or parsed[0] != "Location"


def test_error_fields_are_paths() -> None:
    assert InvalidInput("x", field=["address.country"]).field == ["address", "country"]
    assert InvalidInput("x").field is None
