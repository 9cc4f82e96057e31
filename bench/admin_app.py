"""Benchmark: the admin app's size and first load.

Builds the app (as `make run` does), then reports:

- the gzip size of what the first page load needs (index.html, the entry script and the
  stylesheet, and the modules they preload) and of the dashboard's own chunks on top;
- the gzip size of the customer's order page (``/track/``, its own entry);
- in Chromium with an empty cache, against the app served by ``vite preview`` and the API by
  ``oms serve`` on a demo database (a simulated fortnight, as ``make run`` loads): the time
  until the sign-in form shows, the time until a signed-in dashboard shows its KPIs (the KPI
  query included), and the time until a customer's order page, opened from a mail's link on a
  phone-sized screen, shows the order. Median and slowest of ``--runs``.

    .venv/bin/python bench/admin_app.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from serving import OMS, Served, free_port, serving_as_admin

ADMIN_UI = Path(__file__).resolve().parent.parent / "admin-ui"
VITE = ADMIN_UI / "node_modules" / ".bin" / "vite"  # not npx: its child would outlive it


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def initial_files(dist: Path, page: str = "index.html") -> list[Path]:
    html = (dist / page).read_text(encoding="utf-8")
    referenced = re.findall(r'(?:src|href)="/(assets/[^"]+)"', html)
    return [dist / page, *(dist / name for name in referenced)]


def customer_link(served: Served) -> str:
    """The order-page link in the first mail the demo's outbox made (it runs in the API)."""
    query = "{ messages(first: 1, reverse: false) { nodes { textBody } } }"
    for _ in range(100):
        answer = httpx.post(f"{served.base}/graphql", json={"query": query},
                            headers={"authorization": f"Bearer {served.token}"}).json()  # fmt: skip
        nodes = answer["data"]["messages"]["nodes"]
        if nodes:
            found = re.search(r"http\S+/track/#\S+", nodes[0]["textBody"])
            assert found, nodes[0]["textBody"]
            return found.group(0)
        time.sleep(0.2)
    raise SystemExit("the API made no message")


def dashboard_files(dist: Path) -> list[Path]:
    """The dashboard page's chunk and everything it imports that the entry does not hold."""
    manifest = json.loads((dist / ".vite" / "manifest.json").read_text(encoding="utf-8"))
    files: set[str] = set()

    def visit(key: str) -> None:
        chunk = manifest[key]
        if chunk["file"] in files or chunk.get("isEntry"):
            return
        files.add(chunk["file"])
        files.update(chunk.get("css", []))
        for imported in chunk.get("imports", []):
            visit(imported)

    visit("src/dashboard/Dashboard.svelte")
    return [dist / name for name in sorted(files)]


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        app_port = free_port()
        app_url = f"http://127.0.0.1:{app_port}"
        environment = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'oms.db'}",
                       "OMS_CORS_ORIGINS": app_url, "OMS_LOG_LEVEL": "WARNING",
                       "OMS_CUSTOMER_PAGE_URL": f"{app_url}/track/"}  # fmt: skip
        subprocess.run([OMS, "migrate"], env=environment, check=True, capture_output=True)
        subprocess.run([OMS, "simulate", "--days", "14", "--orders-per-day", "25"],
                       env=environment, check=True, capture_output=True)  # fmt: skip
        subprocess.run([OMS, "seed"], env=environment, check=True, capture_output=True)
        with serving_as_admin(environment) as served:
            dist = folder / "dist"
            subprocess.run(["npm", "run", "build", "--", "--outDir", str(dist), "--manifest"],
                           cwd=ADMIN_UI, env={**environment, "VITE_OMS_API_URL": served.base},
                           check=True, capture_output=True)  # fmt: skip
            first = sum(gzip_size(path) for path in initial_files(dist))
            dashboard = sum(gzip_size(path) for path in dashboard_files(dist))
            print(f"first load, gzip: {kib(first)} ({len(initial_files(dist))} files)")
            print(f"dashboard chunks on top, gzip: {kib(dashboard)}")
            print(f"sign-in page + dashboard, gzip: {kib(first + dashboard)} (target < 200 KiB)")
            track = initial_files(dist, "track/index.html")
            print(f"customer's order page, gzip: {kib(sum(gzip_size(p) for p in track))} "
                  f"({len(track)} files)")  # fmt: skip
            link = customer_link(served)
            preview = subprocess.Popen(
                [VITE, "preview", "--outDir", str(dist), "--port", str(app_port), "--strictPort"],
                cwd=ADMIN_UI, stdout=subprocess.DEVNULL)  # fmt: skip
            try:
                for _ in range(100):
                    try:
                        httpx.get(app_url)
                        break
                    except httpx.TransportError:
                        time.sleep(0.2)
                timed = subprocess.run(
                    ["node", "scripts/first-load.mjs", app_url, served.token, str(args.runs), link],
                    cwd=ADMIN_UI, check=True, capture_output=True, text=True)  # fmt: skip
            finally:
                preview.terminate()
                preview.wait()
    times = json.loads(timed.stdout)
    for name, caption in (("login", "sign-in form shown"), ("dashboard", "dashboard KPIs shown"),
                          ("track", "customer's order shown")):  # fmt: skip
        values = sorted(times[name])
        print(f"{caption:24s} median {statistics.median(values):5.0f} ms   "
              f"slowest {values[-1]:5.0f} ms   ({kib(times[name + 'Bytes'])} transferred)")  # fmt: skip


if __name__ == "__main__":
    main()
