"""Each scenario of admin-ui/tests runs in headless Chromium against the served app; its
screenshots land in admin-ui/test-results."""

from __future__ import annotations

import subprocess

import pytest

from tests.browser.conftest import ADMIN_UI, ARTEFACTS, CHROMIUM, AdminApp

SCENARIOS = sorted(path.name for path in (ADMIN_UI / "tests").glob("*.test.mjs"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_admin_app_scenario(admin_app: AdminApp, scenario: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    done = subprocess.run(
        ["node", "--test", "--test-reporter=spec", f"tests/{scenario}"],
        cwd=ADMIN_UI,
        env={
            **admin_app.environment,
            "APP_URL": admin_app.app_url,
            "API_URL": admin_app.api_url,
            "CHROMIUM": str(CHROMIUM),
            "ARTEFACTS": str(ARTEFACTS),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
