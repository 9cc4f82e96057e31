"""The partner guide's walkthrough runs as written against the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import demo_database
from tests.servers import serving

GUIDE_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "partner.py"


def test_the_partner_walkthrough_runs_against_the_demo_data(
    tmp_path: Path, demo_template: Path
) -> None:
    url = demo_database(demo_template, tmp_path)
    environment = {**os.environ, "DATABASE_URL": url, "OMS_LOG_LEVEL": "WARNING"}
    with serving(environment, tmp_path / "serve.log") as graphql_url:
        walked = subprocess.run(
            [sys.executable, str(GUIDE_EXAMPLE), graphql_url],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert walked.returncode == 0, walked.stdout + walked.stderr
    assert "7. webhook signature recipe checks out" in walked.stdout
    assert "8. imported a count of 2 levels; exported" in walked.stdout
