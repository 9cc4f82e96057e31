"""The admin app in a real browser: the API (`oms serve`, demo data on SQLite) and the app
built against it and served by `vite preview`, each on a free port, for the scenarios under
admin-ui/tests that playwright-core drives in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.cli import migrate_database
from api.settings import PROJECT_ROOT
from tests.servers import OMS, free_port, server_process

ADMIN_UI = PROJECT_ROOT / "admin-ui"
CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = ADMIN_UI / "test-results"


@dataclass(frozen=True)
class AdminApp:
    app_url: str
    api_url: str
    environment: dict[str, str]


def _require_tools() -> None:
    missing = [
        what
        for what, present in [
            ("node", shutil.which("node") is not None),
            ("admin-ui/node_modules (npm ci)", (ADMIN_UI / "node_modules").is_dir()),
            (str(CHROMIUM), CHROMIUM.exists()),
        ]
        if not present
    ]
    if missing:
        message = f"the browser tests need {', '.join(missing)}: `make test` installs them"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def admin_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminApp]:
    _require_tools()
    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite+aiosqlite:///{folder / 'oms.db'}"
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "OMS_CORS_ORIGINS": app_url,
        "OMS_LOG_LEVEL": "WARNING",
    }
    migrate_database(database_url)
    subprocess.run([OMS, "seed"], env=environment, check=True, capture_output=True)
    with server_process(environment, folder / "api.log") as (graphql_url, _api):
        api_url = graphql_url.removesuffix("/graphql")
        build = folder / "dist"
        subprocess.run(
            ["npm", "run", "build", "--", "--outDir", str(build), "--emptyOutDir"],
            cwd=ADMIN_UI,
            env={**environment, "VITE_OMS_API_URL": api_url},
            check=True,
            capture_output=True,
        )
        with (folder / "preview.log").open("w") as log:
            preview = subprocess.Popen(
                ["npx", "vite", "preview", "--outDir", str(build), "--port", str(app_port),
                 "--strictPort"],
                cwd=ADMIN_UI,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                _wait_for(app_url, preview)
                yield AdminApp(app_url, api_url, environment)
            finally:
                preview.terminate()
                preview.wait(timeout=20)
