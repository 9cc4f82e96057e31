"""For the benchmarks: ``oms serve`` on a free port over a given database, with an admin
signed in, stopped on leaving."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

OMS = str(Path(sys.executable).parent / "oms")
PASSWORD = "bench-password-1"
LOGIN = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }"


@dataclass(frozen=True)
class Served:
    base: str
    """http://127.0.0.1:<port>"""
    token: str
    """An admin's bearer token."""
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving_as_admin(environment: dict[str, str]) -> Iterator[Served]:
    """The benchmarks' scratch databases run with the development secrets (unless the
    environment names others): ``oms serve`` refuses them outside development."""
    environment = {"OMS_ENV": "development", **environment}
    email = f"bench-{time.time_ns()}@example.com"
    subprocess.run([OMS, "create-user", "--email", email, "--password", PASSWORD,
                    "--role", "admin"], env=environment, check=True, capture_output=True)  # fmt: skip
    port = free_port()
    server = subprocess.Popen([OMS, "serve", "--port", str(port)], env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        answer = httpx.post(f"{base}/graphql", json={
            "query": LOGIN, "variables": {"e": email, "p": PASSWORD}}).json()  # fmt: skip
        yield Served(base, answer["data"]["login"]["token"], server.pid)
    finally:
        server.terminate()
        server.wait()
