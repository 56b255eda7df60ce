"""Benchmark: the field kit's app shell size (gzipped) and its start, offline, with 300 tasks on the phone.

    python bench/fieldkit.py --tasks 300 --runs 7      last line: shell_kb_gz=<n> offline_start_ms=<t>

There is no build step: the shell is plain ES modules plus the two vendored libraries (PouchDB, jsQR),
listed and hashed by the server for the service worker. The size is every file the service worker
precaches, fetched over HTTP and gzipped at level 6 (what a gzip-enabled front server sends), plus the
service worker itself. The start is measured in Debian's headless Chromium: an inspector signs in once
online, the phone syncs `tasks` tasks (each with its site, enterprise and checklist), the network is cut,
and then a new page opens the kit `runs` times; each run's figure is the page's own `fk-usable` mark (ms
from navigation start until the task list is on screen, with every task card), and the median is printed.
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 123"


def build_app(couch_url: str):
    from server import create_app
    from server.cli import bootstrap_all
    from server.qr.signing import generate_key_spec
    app = create_app({"COUCHDB_URL": couch_url, "DB_PREFIX": "fkbench_", "SECRET_KEY": "f" * 48,
                      "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1", "LOGIN_RATE_LIMIT": "100 per minute"})
    with app.app_context():
        bootstrap_all()
    return app


def seed(app, tasks: int) -> str:
    """`tasks` enterprises and a team of two through the real import, the tasks dispatched to both phones."""
    from server.accounts import store
    from server.db import registry
    from server.demo.generate import enterprise_rows, inspector_rows
    from server.demo.load import import_rows
    from server.demo.tasks import dispatch_demo
    rows = enterprise_rows(n=tasks, seed=7)
    with app.app_context():
        db = registry()
        import_rows(db, "enterprises", rows)
        import_rows(db, "inspectors", inspector_rows(rows, n=2, experts=0, seed=7))
        team = [p["_id"] for p in db.find({"type": "inspector", "region": {"$gt": None}}, limit=2)]
        enterprises = db.find({"type": "enterprise", "region": {"$gt": None}}, limit=tasks)
        store.create_user(db, {"username": "benchinsp", "role": "inspector", "region": "370102",
                               "display_name": "测试执法人员", "password": PASSWORD, "inspector_id": team[0]})
        dispatch_demo(db, "基准测试任务", enterprises, team, per_day=tasks)
    return "benchinsp"


def serve(app) -> str:
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def shell_size(app, base: str) -> tuple[int, list[tuple[str, int, int]]]:
    """Bytes gzipped of every precached file and the service worker; rows of (name, raw, gzipped)."""
    from server.fieldkit.views import precache_list
    with app.test_request_context():
        names, _version = precache_list()
    rows = []
    with httpx.Client(base_url=base + "/app/") as http:
        for name in names + ["sw.js"]:
            body = http.get(name).raise_for_status().content
            rows.append((name, len(body), len(gzip.compress(body, compresslevel=6))))
    return sum(r[2] for r in rows), sorted(rows, key=lambda r: -r[2])


def offline_starts(base: str, username: str, tasks: int, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 412, "height": 915}, is_mobile=True, locale="zh-CN")
        context.set_default_timeout(120_000)
        page = context.new_page()
        page.goto(base + "/app/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_function(f"() => document.querySelectorAll('[data-t=task]').length === {tasks}"
                               " && navigator.serviceWorker.controller !== null")
        page.wait_for_selector("[data-t=sync-badge][data-status=synced]")
        page.close()
        context.set_offline(True)
        times = []
        for _ in range(runs):
            page = context.new_page()
            page.goto(base + "/app/")
            page.wait_for_function("() => performance.getEntriesByName('fk-usable').length > 0")
            shown = page.evaluate("document.querySelectorAll('[data-t=task]').length")
            if shown != tasks:
                raise SystemExit(f"only {shown} of {tasks} tasks shown offline")
            times.append(page.evaluate("performance.getEntriesByName('fk-usable')[0].startTime"))
            page.close()
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from sync.embedded import EmbeddedCouch
    with tempfile.TemporaryDirectory() as tmp:
        couch = EmbeddedCouch(Path(tmp) / "couch").start()
        try:
            app = build_app(couch.url)
            started = time.perf_counter()
            username = seed(app, args.tasks)
            print(f"seeded {args.tasks} tasks on the phone's server database in {time.perf_counter() - started:.1f} s")
            base = serve(app)
            total, rows = shell_size(app, base)
            print("build: none (plain ES modules; the server lists and hashes the shell's files)")
            print(f"{'file':40} {'bytes':>9} {'gzipped':>9}")
            for name, raw, packed in rows:
                print(f"{name:40} {raw:9d} {packed:9d}")
            times = offline_starts(base, username, args.tasks, args.runs)
            print("offline starts (ms): " + ", ".join(f"{t:.0f}" for t in times))
            print(f"shell_kb_gz={total / 1024:.0f} offline_start_ms={statistics.median(times):.0f}")
        finally:
            couch.stop()


if __name__ == "__main__":
    main()
