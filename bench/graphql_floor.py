"""Benchmark: what executing the orders page costs in GraphQL alone, with no database.

The page of bench/place_order.py (50 orders with status, email, customer, totals, lines with
SKUs, allocations with locations) is executed in process over plain Python objects, once with
graphql-core and default resolvers and once with a Strawberry schema of the same shape, so the
CPU the API spends beyond GraphQL execution can be read off against these floors.

    .venv/bin/python bench/graphql_floor.py
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import strawberry
from graphql import build_schema, execute, parse
from strawberry.extensions import ParserCache, ValidationCache

PAGE = """query($n: Int!) { orders(first: $n) { edges { node {
  number status email customer { email } totals { total { amount currency } }
  lines { quantity quantityAllocated sku { code } }
  allocations { quantity location { code } } } } } }"""
LINES, ALLOCATIONS, ROUNDS = 2, 2, 200


def orders(count: int) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            number=f"#{n}",
            status="CONFIRMED",
            email="buyer@example.com",
            customer=SimpleNamespace(email="buyer@example.com"),
            totals=SimpleNamespace(total=SimpleNamespace(amount=2844, currency="EUR")),
            lines=[
                SimpleNamespace(quantity=1, quantity_allocated=1, sku=SimpleNamespace(code="S"))
                for _ in range(LINES)
            ],
            allocations=[
                SimpleNamespace(quantity=1, location=SimpleNamespace(code="BER"))
                for _ in range(ALLOCATIONS)
            ],
        )
        for n in range(count)
    ]


SDL = """
type Sku { code: String! }
type Location { code: String! }
type Line { quantity: Int! quantityAllocated: Int! sku: Sku! }
type Allocation { quantity: Int! location: Location! }
type Money { amount: Int! currency: String! }
type Totals { total: Money! }
type Customer { email: String! }
type Order { number: String! status: String! email: String! customer: Customer!
  totals: Totals! lines: [Line!]! allocations: [Allocation!]! }
type Edge { node: Order! }
type Connection { edges: [Edge!]! }
type Query { orders(first: Int!): Connection! }
"""


def graphql_core_ms(size: int) -> float:
    schema, document = build_schema(SDL), parse(PAGE)
    data = orders(size)
    python_names = {"quantityAllocated": "quantity_allocated"}

    def resolve(source: Any, info: Any, **arguments: Any) -> Any:
        if info.field_name == "orders":
            return SimpleNamespace(
                edges=[SimpleNamespace(node=o) for o in data[: arguments["first"]]]
            )
        return getattr(source, python_names.get(info.field_name, info.field_name))

    def run() -> None:
        result = execute(
            schema, document, object(), variable_values={"n": size}, field_resolver=resolve
        )
        assert not result.errors, result.errors

    return _timed(run)


@strawberry.type
class Sku:
    code: str


@strawberry.type
class Location:
    code: str


@strawberry.type
class Line:
    quantity: int
    quantity_allocated: int
    sku: Sku


@strawberry.type
class Allocation:
    quantity: int
    location: Location


@strawberry.type
class Money:
    amount: int
    currency: str


@strawberry.type
class Totals:
    total: Money


@strawberry.type
class Customer:
    email: str


@strawberry.type
class Order:
    number: str
    status: str
    email: str
    customer: Customer
    totals: Totals
    lines: list[Line]
    allocations: list[Allocation]


@strawberry.type
class Edge:
    node: Order


@strawberry.type
class Connection:
    edges: list[Edge]


def strawberry_ms(size: int) -> float:
    data = [
        Order(
            number=o.number,
            status=o.status,
            email=o.email,
            customer=Customer(email=o.customer.email),
            totals=Totals(total=Money(amount=o.totals.total.amount, currency="EUR")),
            lines=[Line(quantity=1, quantity_allocated=1, sku=Sku(code="S")) for _ in o.lines],
            allocations=[
                Allocation(quantity=1, location=Location(code="BER")) for _ in o.allocations
            ],
        )
        for o in orders(size)
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def orders(self, first: int) -> Connection:
            return Connection(edges=[Edge(node=order) for order in data[:first]])

    schema = strawberry.Schema(query=Query, extensions=[ParserCache, ValidationCache])

    async def timed() -> float:
        for _ in range(20):
            await schema.execute(PAGE, variable_values={"n": size})
        started = time.perf_counter()
        for _ in range(ROUNDS):
            result = await schema.execute(PAGE, variable_values={"n": size})
        assert not result.errors, result.errors
        return (time.perf_counter() - started) / ROUNDS * 1000

    return asyncio.run(timed())


def _timed(run: Any) -> float:
    for _ in range(20):
        run()
    started = time.perf_counter()
    for _ in range(ROUNDS):
        run()
    return (time.perf_counter() - started) / ROUNDS * 1000


def main() -> None:
    fields = 3 + 2 + 4 + 1 + 4 * LINES + 1 + 3 * ALLOCATIONS + 2
    for size in (10, 50):
        print(
            f"page of {size} ({size * fields} fields): graphql-core {graphql_core_ms(size):.1f} ms, "
            f"Strawberry {strawberry_ms(size):.1f} ms per execution, no database"
        )


if __name__ == "__main__":
    main()
