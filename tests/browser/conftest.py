"""The admin app in a real browser: the API (`oms serve`, demo data on SQLite) and the app
built against it and served by `vite preview`, each on a free port, for the scenarios under
admin-ui/tests that playwright-core drives in Debian's Chromium. The API is kept running as
a service manager would: a scenario may stop it and it comes back on the same port."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.settings import PROJECT_ROOT
from tests.conftest import demo_database
from tests.factories import TEST_SECRET
from tests.mail import mail_server
from tests.servers import OMS, free_port, wait_until_up

ADMIN_UI = PROJECT_ROOT / "admin-ui"
# Vite itself, not through npx: stopping npx would leave the server it started running.
VITE = ADMIN_UI / "node_modules" / ".bin" / "vite"
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


class SupervisedApi:
    """`oms serve` on one port, started again whenever it exits until ``stop``."""

    def __init__(self, environment: dict[str, str], log_path: Path, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self._environment = environment
        self._log = log_path.open("a")
        self._stopping = threading.Event()
        self._process = self._start()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [OMS, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self._environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            if self._process.poll() is not None:
                self._process = self._start()

    def start(self) -> None:
        wait_until_up(f"{self.url}/health", self._process)
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()
        self._process.terminate()
        self._process.wait(timeout=20)
        self._log.close()


@pytest.fixture(scope="session")
def admin_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminApp]:
    _require_tools()
    folder = tmp_path_factory.mktemp("browser")
    mail = folder / "mail"
    mail.mkdir()
    with mail_server(mail) as (smtp_url, _):
        yield from _serve(demo_database(demo_template, folder), folder, smtp_url, mail)


def _serve(database_url: str, folder: Path, smtp_url: str, mail: Path) -> Iterator[AdminApp]:
    app_port, api_port = free_port(), free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "OMS_CORS_ORIGINS": app_url,
        "OMS_LOG_LEVEL": "WARNING",
        "OMS_SECRET_KEY": TEST_SECRET,
        "OMS_CARRIER_WEBHOOK_SECRET": TEST_SECRET[::-1],
        # Customers' mail goes to the tests' own mail server, each mail kept in MAILDIR.
        "OMS_SMTP_URL": smtp_url,
        "OMS_PUBLIC_URL": f"http://127.0.0.1:{api_port}",
        "OMS_CUSTOMER_PAGE_URL": f"{app_url}/track/",
        "MAILDIR": str(mail),
    }
    api = SupervisedApi(environment, folder / "api.log", api_port)
    try:
        api.start()
        api_url = api.url
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
                [VITE, "preview", "--outDir", str(build), "--port", str(app_port),
                 "--strictPort"],
                cwd=ADMIN_UI,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                wait_until_up(app_url, preview)
                yield AdminApp(app_url, api_url, environment)
            finally:
                preview.terminate()
                preview.wait(timeout=20)
    finally:
        api.stop()
