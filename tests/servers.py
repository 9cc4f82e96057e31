"""Running the `oms` command's server for tests that need a real socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.factories import TEST_SECRET

OMS = str(Path(sys.executable).parent / "oms")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until ``url`` answers 200; fails when ``process`` exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)


@contextmanager
def serving(environment: dict[str, str], log_path: Path, workers: int = 1) -> Iterator[str]:
    """`oms serve` on a free port until the block ends; yields the GraphQL URL."""
    with server_process(environment, log_path, workers) as (url, _process):
        yield url


@contextmanager
def server_process(
    environment: dict[str, str], log_path: Path, workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like ``serving``, and the process too, for tests that signal it. Secrets of the tests'
    own unless ``environment`` names others: outside development the defaults are refused."""
    environment = {
        "OMS_SECRET_KEY": TEST_SECRET,
        "OMS_CARRIER_WEBHOOK_SECRET": TEST_SECRET[::-1],
        **environment,
    }
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [OMS, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/health", process)
            yield f"{url}/graphql", process
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=20)
