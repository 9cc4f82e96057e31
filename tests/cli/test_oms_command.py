"""The `oms` command as a user runs it: migrate, seed, create users and keys, serve over a socket."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import OMS, serving


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("cli") / "oms.db"
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "OMS_SECRET_KEY": "cli-test-secret-key-0123456789-abcdefgh",
        "OMS_CARRIER_WEBHOOK_SECRET": "cli-test-carrier-secret-0123456789-abcdefgh",
        "OMS_LOG_LEVEL": "WARNING",
    }


def oms(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OMS, *arguments], env=environment, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def seeded(environment: dict[str, str]) -> dict[str, str]:
    assert oms(environment, "migrate").returncode == 0
    seeded = oms(environment, "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert "admin@example.com / admin-password" in seeded.stdout
    return environment


@pytest.fixture(scope="module")
def server(seeded: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(seeded, tmp_path_factory.mktemp("serve") / "serve.log") as url:
        yield url


def post(url: str, query: str, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(url, json={"query": query}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def test_seed_loads_the_demo_data_once(seeded: dict[str, str], server: str) -> None:
    login = post(
        server,
        'mutation { login(input: {email: "admin@example.com", password: "admin-password"}) { token } }',
    )
    token = login["data"]["login"]["token"]
    data = post(
        server,
        "{ locations { totalCount edges { node { city: address { city } latitude } } } skus { totalCount } customers { totalCount } channels { code } inventoryLevels { totalCount } }",
        token,
    )["data"]
    assert data["locations"]["totalCount"] >= 4
    assert len({edge["node"]["city"]["city"] for edge in data["locations"]["edges"]}) >= 4
    assert data["skus"]["totalCount"] == 200
    assert data["customers"]["totalCount"] == 50
    assert len(data["channels"]) >= 2
    assert data["inventoryLevels"]["totalCount"] > 0
    again = oms(seeded, "seed")
    assert again.returncode == 0 and "already present" in again.stdout


def test_a_deactivated_user_is_signed_out_and_cannot_log_in(
    seeded: dict[str, str], server: str
) -> None:
    created = oms(
        seeded, "create-user", "--email", "leaver@example.com", "--password", "a long password",
        "--role", "support",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    login = 'mutation { login(input: {email: "leaver@example.com", password: "a long password"}) { token userErrors { code } } }'
    token = post(server, login)["data"]["login"]["token"]
    assert post(server, "{ viewer { kind } }", token)["data"]["viewer"] == {"kind": "STAFF"}
    done = oms(seeded, "deactivate-user", "--email", "Leaver@example.com")
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 10  # the server learns of it within seconds
    while post(server, "{ viewer { kind } }", token)["data"]["viewer"] is not None:
        assert time.monotonic() < deadline, "the token still works"
        time.sleep(0.2)
    refused = post(server, login)["data"]["login"]
    assert refused["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    unknown = oms(seeded, "deactivate-user", "--email", "nobody@example.com")
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr


def test_created_user_and_api_key_work_over_a_real_socket(
    seeded: dict[str, str], server: str
) -> None:
    created = oms(
        seeded,
        "create-user",
        "--email",
        "Ops@Example.com",
        "--password",
        "a long password",
        "--role",
        "warehouse",
    )
    assert created.returncode == 0, created.stderr
    duplicate = oms(
        seeded, "create-user", "--email", "ops@example.com", "--password", "a long password"
    )
    assert duplicate.returncode == 1 and "ALREADY_EXISTS" in duplicate.stderr
    login = post(
        server,
        'mutation { login(input: {email: "ops@example.com", password: "a long password"}) { token user { role } } }',
    )
    assert login["data"]["login"]["user"]["role"] == "WAREHOUSE"

    key = oms(seeded, "create-api-key", "--name", "ERP", "--scopes", "inventory:read,catalog:read")
    assert key.returncode == 0, key.stderr
    secret = key.stdout.strip()
    viewer = post(
        server, "{ viewer { kind permissions } inventoryLevels(first: 1) { totalCount } }", secret
    )
    assert viewer["data"]["viewer"] == {
        "kind": "API_KEY",
        "permissions": ["CATALOG_READ", "INVENTORY_READ"],
    }
    bad_scope = oms(seeded, "create-api-key", "--name", "x", "--scopes", "everything")
    assert bad_scope.returncode == 1 and "INVALID_INPUT" in bad_scope.stderr


def test_serve_refuses_several_workers_on_sqlite(environment: dict[str, str]) -> None:
    refused = oms(environment, "serve", "--workers", "2")
    assert refused.returncode == 2 and "SQLite serves one worker" in refused.stderr


def test_import_applies_good_batches_and_reports_bad_rows_by_line(
    seeded: dict[str, str], tmp_path: Path
) -> None:
    skus = tmp_path / "skus.csv"
    skus.write_text("sku,name,price\nIMPORT-1,Imported,990\nIMPORT-2,Imported 2,x\n")
    checked = oms(seeded, "import", "skus", str(skus), "--dry-run")
    assert checked.returncode == 1 and "line 3: price 'x': not a whole number" in checked.stderr

    applied = oms(seeded, "import", "skus", str(skus), "--batch-size", "1")
    assert applied.returncode == 1
    assert "lines 2-2: applied: 1 created, 0 updated, 0 unchanged" in applied.stdout
    assert "lines 3-3: rejected: 1 error; none of these rows was imported" in applied.stderr

    levels = tmp_path / "levels.csv"
    levels.write_text("location,sku,on_hand\nBER-WH,IMPORT-1,12\n")
    counted = oms(seeded, "import", "inventory-levels", str(levels))
    assert counted.returncode == 0, counted.stderr
    assert "lines 2-2: applied: 1 created, 0 updated, 0 unchanged" in counted.stdout


def test_export_streams_the_demo_orders_as_json_lines(
    seeded: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "orders.jsonl"
    exported = oms(
        seeded, "export", "orders", "--from", "2000-01-01", "--to", "2100-01-01",
        "--format", "jsonl", "--output", str(target),
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    orders = target.read_text().splitlines()
    assert len(orders) == 40  # the demo data's orders
    assert all(json.loads(order)["lines"] for order in orders)


def test_simulate_writes_a_history_once(environment: dict[str, str], tmp_path: Path) -> None:
    history = {**environment, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sim.db'}"}
    assert oms(history, "migrate").returncode == 0
    arguments = ("simulate", "--days", "2", "--orders-per-day", "6", "--seed", "5", "--once")
    first = oms(history, *arguments)
    assert first.returncode == 0, first.stderr
    assert "2 days from" in first.stdout and "orders placed" in first.stdout
    again = oms(history, *arguments)
    assert again.returncode == 0 and "a simulated history is already there" in again.stdout
    with sqlite3.connect(tmp_path / "sim.db") as database:
        first_receipt, first_order = database.execute(
            "SELECT (SELECT min(created_at) FROM inventory_movement WHERE kind = 'receipt'),"
            " (SELECT min(placed_at) FROM sales_order)"
        ).fetchone()
    assert first_receipt < first_order, "the first stock arrives before the first order"


def test_simulate_refuses_a_database_with_orders(seeded: dict[str, str]) -> None:
    refused = oms(seeded, "simulate", "--days", "1", "--orders-per-day", "1")
    assert refused.returncode == 1 and "database without orders" in refused.stderr


@pytest.mark.parametrize("command", ["serve", "webhooks"])
@pytest.mark.parametrize(
    ("unset", "refused"),
    [
        ("OMS_SECRET_KEY", "OMS_SECRET_KEY"),
        ("OMS_CARRIER_WEBHOOK_SECRET", "OMS_CARRIER_WEBHOOK_SECRET"),
    ],
)
def test_serving_refuses_the_development_secrets_outside_development(
    seeded: dict[str, str], command: str, unset: str, refused: str
) -> None:
    environment = {name: value for name, value in seeded.items() if name != unset}
    answer = oms(environment, command)
    assert answer.returncode == 2
    assert f"refusing to start: {refused}" in answer.stderr


def test_development_may_serve_with_the_published_secrets(seeded: dict[str, str]) -> None:
    environment = {name: value for name, value in seeded.items() if not name.endswith("SECRET_KEY")}
    worker = subprocess.Popen(
        [OMS, "webhooks"], env={**environment, "OMS_ENV": "development"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(2)
    worker.terminate()
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "delivering webhooks" in out


def test_the_webhook_worker_runs_until_terminated(seeded: dict[str, str]) -> None:
    worker = subprocess.Popen(
        [OMS, "webhooks"], env={**seeded, "OMS_LOG_FORMAT": "json"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(2)
    worker.terminate()
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "delivering webhooks" in out
    assert all(line.startswith("{") for line in err.splitlines()), err
