"""Benchmark: subscription fan-out. Many WebSocket subscribers of the order event firehose, a
series of order changes, and for each subscriber every event: how many arrived (none may be
lost), delivery latency from commit, and server memory per idle subscription.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/oms_bench OMS_ENV=development .venv/bin/oms serve --workers 2 --port 8001
    .venv/bin/python bench/fanout.py --url http://127.0.0.1:8001/graphql

Subscribers connect from two client processes (one Python process cannot read 2,000 sockets
fast enough to measure the server); latency is measured from the event's `occurredAt`, which
is taken just before the commit, so it includes the commit itself. Changes are holds and
releases of one order, made through the server like any staff action.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from place_order import ADDRESS, LOGIN, graphql

SUBSCRIBE = "subscription($after: String) { orderEvents(after: $after) { type cursor occurredAt } }"
HOLD = 'mutation($id: ID!) { holdOrder(input: {orderId: $id, reason: "bench"}) { userErrors { code } } }'
RELEASE = "mutation($id: ID!) { releaseOrderHold(input: {orderId: $id}) { userErrors { code } } }"
END = "query($after: String) { events(first: 250, after: $after) { pageInfo { endCursor hasNextPage } } }"


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://", 1)


async def subscriber(
    url: str, token: str, after: str, expected: int, ready: asyncio.Event, results: list[Any]
) -> None:
    async with connect(ws_url(url), subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"after": after}},
                }
            )
        )
        ready.set()
        latencies: list[float] = []
        cursors: list[str] = []
        try:
            while len(cursors) < expected:
                message = json.loads(await ws.recv())
                received = time.time()
                event = message["payload"]["data"]["orderEvents"]
                occurred = datetime.fromisoformat(event["occurredAt"]).timestamp()
                latencies.append(received - occurred)
                cursors.append(event["cursor"])
        finally:
            results.append((latencies, cursors))


async def client_main(
    url: str, token: str, after: str, count: int, expected: int, connection: Any, seconds: float
) -> None:
    results: list[Any] = []
    readies = [asyncio.Event() for _ in range(count)]
    tasks = []
    for index in range(count):
        tasks.append(
            asyncio.create_task(subscriber(url, token, after, expected, readies[index], results))
        )
        if index % 50 == 49:
            await asyncio.sleep(
                0.05
            )  # a burst of 2,000 handshakes at once only measures the accept queue
    await asyncio.gather(*(ready.wait() for ready in readies))
    connection.send("ready")
    _, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    connection.send(results)


def client_process(
    url: str, token: str, after: str, count: int, expected: int, connection: Any, seconds: float
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(client_main(url, token, after, count, expected, connection, seconds))


def end_cursor(url: str, token: str) -> str:
    cursor = None
    while True:
        page = graphql(url, END, {"after": cursor}, token)["events"]["pageInfo"]
        cursor = page["endCursor"]
        if not page["hasNextPage"]:
            return str(cursor)


def worker_subscribers(url: str, polls: int = 40) -> dict[int, int]:
    """Subscribers per server process, from /health answers (each answered by one worker)."""
    seen: dict[int, int] = {}
    for _ in range(polls):  # a new connection each time, so that either worker may answer
        health = httpx.get(url.replace("/graphql", "/health"), headers={"connection": "close"})
        seen[health.json()["pid"]] = health.json()["subscribers"]
    return seen


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8001/graphql")
    parser.add_argument("--subscribers", type=int, default=2_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between changes")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    args = parser.parse_args()
    url = args.url
    token = graphql(url, LOGIN, {"e": "admin@example.com", "p": "admin-password"})["login"]["token"]
    skus = graphql(url, "{ skus(active: true, first: 1) { nodes { code } } }", {}, token)
    code = skus["skus"]["nodes"][0]["code"]
    placed = graphql(
        url,
        "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } userErrors { code } } }",
        {"i": {"channel": "web", "customer": {"email": "fanout@example.com", "name": "Fan Out"},
               "lines": [{"sku": code, "quantity": 1}], "shippingAddress": ADDRESS,
               "payment": {"token": "tok_visa"}}},
        token,
    )["placeOrder"]  # fmt: skip
    if placed["userErrors"]:
        raise SystemExit(f"placing the bench order: {placed['userErrors']}")
    order_id = placed["order"]["id"]
    after = end_cursor(url, token)

    before = worker_subscribers(url)
    pids = sorted(before)
    rss_before = {pid: rss_kib(pid) for pid in pids}
    print(
        f"server processes {pids}, subscribers before {before}, load average {os.getloadavg()[0]:.2f}"
    )

    per_client = args.subscribers // args.clients
    pipes, processes = [], []
    seconds = 60 + args.changes * args.interval
    for _ in range(args.clients):
        parent, child = multiprocessing.Pipe()
        process = multiprocessing.Process(
            target=client_process,
            args=(url, token, after, per_client, args.changes, child, seconds),
        )
        process.start()
        pipes.append(parent)
        processes.append(process)
    started = time.monotonic()
    for pipe in pipes:
        assert pipe.recv() == "ready"
    total = per_client * args.clients
    while sum(worker_subscribers(url, polls=10).values()) < total:
        if time.monotonic() - started > 120:
            raise SystemExit(f"only {worker_subscribers(url)} subscribers after 120 s")
        time.sleep(0.2)
    connected = time.monotonic() - started
    time.sleep(2)  # settle, then measure the idle subscriptions
    counts = worker_subscribers(url)
    rss_after = {pid: rss_kib(pid) for pid in pids}
    grown = sum(rss_after[pid] - rss_before[pid] for pid in pids)
    print(f"{total} subscribers connected in {connected:.1f} s: per worker {counts}")
    print(
        f"  server memory: +{grown / 1024:.1f} MiB, {grown * 1024 / total / 1024:.1f} KiB per idle subscription"
    )

    with httpx.Client(headers={"authorization": f"Bearer {token}"}) as client:
        for change in range(args.changes):
            mutation = HOLD if change % 2 == 0 else RELEASE
            body = client.post(url, json={"query": mutation, "variables": {"id": order_id}}).json()
            key = "holdOrder" if mutation is HOLD else "releaseOrderHold"
            if "errors" in body or body["data"][key]["userErrors"]:
                raise SystemExit(f"change {change}: {body}")
            time.sleep(args.interval)

    results = [item for pipe in pipes for item in pipe.recv()]
    for process in processes:
        process.join()
    latencies = sorted(value for latency, _ in results for value in latency)
    complete = sum(1 for _, cursors in results if len(cursors) == args.changes)
    in_order = all(len(set(cursors)) == len(cursors) for _, cursors in results)
    lost = total * args.changes - len(latencies)
    print(f"{args.changes} order changes, one every {args.interval * 1000:.0f} ms")
    print(f"  delivered {len(latencies)} of {total * args.changes} ({lost} lost); "
          f"{complete} of {total} subscribers got every event; no duplicates: {in_order}")  # fmt: skip
    if latencies:
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        print(
            f"  latency from commit: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
