"""The replayable event feed over HTTP."""

from __future__ import annotations

from typing import Any

from api.db import Database
from tests.factories import GraphQLClient, make_location, make_product, receive

EVENTS = """query($after: String, $first: Int, $types: [EventType!]) {
  events(after: $after, first: $first, types: $types) {
    edges { cursor node { type orderId data } }
    pageInfo { hasNextPage endCursor } } }"""


async def feed(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    events: dict[str, Any] = (await client.data(EVENTS, variables))["events"]
    return events


async def test_the_feed_pages_from_any_cursor_and_filters_by_type(
    admin: GraphQLClient, database: Database
) -> None:
    location = await make_location(database, "BER")
    await make_product(database, "A")
    for units in (1, 2, 3):
        await receive(database, location, "A", units)
    everything = await feed(admin, first=100)
    types = [edge["node"]["type"] for edge in everything["edges"]]
    assert types[-3:] == ["INVENTORY_RECEIVED"] * 3
    seen, after = [], None
    while True:
        page = await feed(admin, first=2, after=after)
        seen.extend(edge["cursor"] for edge in page["edges"])
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [edge["cursor"] for edge in everything["edges"]]
    received = await feed(admin, types=["INVENTORY_RECEIVED"])
    assert [edge["node"]["data"]["quantity"] for edge in received["edges"]] == [1, 2, 3]
    caught_up = await feed(admin, after=after)
    assert (caught_up["edges"], caught_up["pageInfo"]["endCursor"]) == ([], after)


async def test_bad_cursors_and_sizes_are_client_errors_and_the_feed_needs_events_read(
    admin: GraphQLClient, warehouse: GraphQLClient
) -> None:
    for variables in ({"after": "nope"}, {"first": 0}, {"first": 10_000}):
        body = await admin.execute(EVENTS, variables)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", variables
    refused = await warehouse.execute(EVENTS)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
