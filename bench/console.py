"""Benchmark: the supervisor console's three heavy reads on a loaded `records` database, under repeated requests.

    python bench/console.py --inspections 100000        last line: p95_ms=<worst p95 of the endpoints measured>

A fresh embedded pouchdb-server gets N inspections with 3 N hazards and their cases (bench/console_data.py,
`_bulk_docs` in batches of 1,000) and the registry's inspectors; the statistics views are built (timed);
the app runs under gunicorn (deploy/gunicorn.conf.py, as bench/sync_gateway.py runs it) and a supervisor
of the city signs in. Each endpoint then gets `--requests` requests from `--clients` concurrent clients
(keep-alive connections, after warm-up rounds until every client's queries are answered fast): the review
queue, a hazard register query and the statistics (four queries in turn: by region and by sector, per
month and per quarter). Endpoints the app does not serve (not in its OpenAPI document) are skipped and named. The
baseline in the same run is what the statistics would cost without the answer cache: the same view
queries sent straight to pouchdb-server.
"""
from __future__ import annotations

import argparse
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.console_data import batches, make_world  # noqa: E402
from bench.sync_gateway import _settings, _start_gunicorn  # noqa: E402

PASSWORD = "bench password 123"
CITY = "370100"


def endpoints(year: int) -> dict[str, tuple[str, list[str]]]:
    """name → (OpenAPI path that must exist, URLs requested in turn)."""
    return {
        "review_queue": ("/api/v1/inspections",
                         [f"/api/v1/inspections?review_status=pending&region={CITY}&limit=25"]),
        "hazard_register": ("/api/v1/hazards",
                            [f"/api/v1/hazards?state=ordered&overdue=true&region={CITY}&limit=25"]),
        "stats": ("/api/v1/stats", [f"/api/v1/stats?group={g}&period={p}&year={year}"
                                    for g in ("region", "sector") for p in ("month", "quarter")]),
    }


def load(settings: dict, inspections: int, today) -> dict:
    """Bootstrap, the inspectors into `registry`, the records into `records` (generated while sending)."""
    from server import create_app
    from server.accounts import store
    from server.cli import bootstrap_all
    from server.db import database, registry
    app = create_app(settings)
    with app.app_context():
        bootstrap_all()
        world = make_world(inspections, seed=1, today=today)
        registry().bulk_docs(world.inspectors)
        store.create_user(registry(), {"username": "bench.sup", "role": "supervisor", "region": CITY,
                                       "display_name": "bench", "password": PASSWORD})
        records = database("records")
        docs, started = 0, time.monotonic()
        for batch in _prefetched(batches(inspections, size=1000, seed=1, world=world)):
            failed = [r for r in records.bulk_docs(batch) if "error" in r]
            if failed:
                raise RuntimeError(f"{len(failed)} documents not written: {failed[0]}")
            docs += len(batch)
        return {"docs": docs, "load_s": time.monotonic() - started}


def _prefetched(source, depth: int = 4):
    """Generate the next batches in a thread while the current one is being written."""
    pending: queue.Queue = queue.Queue(maxsize=depth)

    def produce():
        for item in source:
            pending.put(item)
        pending.put(None)
    threading.Thread(target=produce, daemon=True).start()
    while (item := pending.get()) is not None:
        yield item


def build_views(couch_url: str, prefix: str) -> dict[str, float]:
    """Seconds each view of `records` took to build (the statistics' and the console's list view): a query
    forces pouchdb-server to index every document first."""
    from sync.bootstrap import design_docs
    from sync.couch import Couch
    db = Couch(couch_url, timeout=7200).db(prefix + "records")
    took = {}
    for ddoc in design_docs("records"):
        name = ddoc["_id"].split("/", 1)[1]
        for view, parts in ddoc.get("views", {}).items():
            started = time.monotonic()
            db.view(name, view, limit=1, **({"reduce": False} if "reduce" in parts else {}))
            took[view] = time.monotonic() - started
            say(f"view {name}/{view} built in {took[view]:.1f} s")
    return took


def build_indexes(couch_url: str, prefix: str) -> dict[str, float]:
    """Seconds each Mango index of `records` took to build (the review queue's and the register's, if any):
    a `_find` that must use it makes pouchdb-server index every document first."""
    from sync.couch import Couch
    db = Couch(couch_url, timeout=7200).db(prefix + "records")
    took = {}
    for index in db.indexes():
        if index["type"] != "json" or not index.get("ddoc"):
            continue
        first = next(iter(index["def"]["fields"][0]))
        started = time.monotonic()
        db.find({first: {"$gt": None}}, limit=1, use_index=[index["ddoc"].split("/", 1)[1], index["name"]])
        took[index["name"]] = time.monotonic() - started
        say(f"index {index['name']} built in {took[index['name']]:.1f} s")
    return took


def direct_stats(couch_url: str, prefix: str, year: int, rounds: int = 3) -> list[float]:
    """Milliseconds of the view queries one statistics answer needs, sent straight to pouchdb-server."""
    from server.stats import scope as sc
    from server.stats.report import today
    from sync.couch import Couch
    db = Couch(couch_url, timeout=600).db(prefix + "records")
    times = []
    for _ in range(rounds):
        started = time.monotonic()
        for view, level, query in (("inspections", "inspections", sc.year_range(CITY, "region", year)),
                                   ("cases", "cases", sc.year_range(CITY, "region", year)),
                                   ("open_cases", "overdue", sc.overdue_range(CITY, "region", today())),
                                   ("open_cases", "supervised", sc.supervised_range(CITY, "region"))):
            db.view("stats", view, group_level=sc.GROUP_LEVEL[level], **query)
        times.append((time.monotonic() - started) * 1000)
    return times


def _client(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"})


def _in_parallel(pool: list[httpx.Client], work) -> None:
    threads = [threading.Thread(target=work, args=(n, http)) for n, http in enumerate(pool)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def warm_up(pool: list[httpx.Client], urls: list[str], rounds: int = 10) -> list[tuple[float, int]]:
    """Every client asks every URL, all clients at once, until a whole round is fast (each server process
    then holds its answers, and no connection sat idle past gunicorn's keep-alive); returns round 1's times."""
    first: list[tuple[float, int]] = []
    for number in range(rounds):
        times: list[tuple[float, int]] = []

        def work(_, http):
            for url in urls:
                started = time.monotonic()
                res = http.get(url)
                times.append(((time.monotonic() - started) * 1000, res.status_code))
        _in_parallel(pool, work)
        first = first or times
        if max(ms for ms, _ in times) < 1000:
            say(f"  warm after {number + 1} round(s) of {len(pool)} clients × {len(urls)} queries")
            break
    return first


def measure(base: str, token: str, urls: list[str], requests: int, clients: int) -> dict:
    """Warm-up (timed apart), then `requests` requests, URLs in turn, over `clients` concurrent clients."""
    pool = [_client(base, token) for _ in range(clients)]
    cold = warm_up(pool, urls)
    latencies, errors, lock = [], [], threading.Lock()

    def run(http: httpx.Client, share: range):
        for i in share:
            url = urls[i % len(urls)]
            started = time.monotonic()
            res = http.get(url)
            with lock:
                latencies.append((time.monotonic() - started) * 1000)
                if res.status_code != 200:
                    errors.append(f"{res.status_code} {url}: {res.text[:200]}")
    _in_parallel(pool, lambda n, http: run(http, range(n, requests, clients)))
    for http in pool:
        http.close()
    ordered = sorted(latencies)
    return {"p50": statistics.median(ordered), "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)],
            "max": ordered[-1], "cold_max": max(c[0] for c in cold), "errors": errors,
            "cold_errors": [s for _, s in cold if s != 200]}


def sign_in(base: str) -> str:
    res = httpx.post(f"{base}/api/v1/auth/tokens", json={"username": "bench.sup", "password": PASSWORD,
                                                         "label": "bench"}, timeout=30)
    res.raise_for_status()
    return res.json()["token"]


def du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=False).stdout
    return float(out.split()[0]) if out else 0.0


def say(line: str) -> None:
    print(line, flush=True)


def run(inspections: int, requests: int, clients: int, plain_views: bool = False, mango: bool = True) -> None:
    from server.stats.report import today
    from sync.embedded import EmbeddedCouch
    with tempfile.TemporaryDirectory() as tmp:
        embedded = EmbeddedCouch(Path(tmp) / "couch", compiled_views=not plain_views).start()
        if plain_views:
            say("pouchdb-server without sync/pouchdb_views.js: map functions evaluated as pouchdb does")
        prefix = "bench" + uuid.uuid4().hex[:6] + "_"
        settings = _settings(embedded.url, prefix)
        try:
            loaded = load(settings, inspections, today())
            say(f"loaded {loaded['docs']} documents in {loaded['load_s']:.1f} s "
                f"({loaded['docs'] / loaded['load_s']:.0f} docs/s), data {du_mb(Path(tmp) / 'couch'):.0f} MB")
            took = build_views(embedded.url, prefix)
            if mango:
                took.update(build_indexes(embedded.url, prefix))
            say("views and indexes built in " + ", ".join(f"{v} {s:.1f} s" for v, s in took.items())
                + f"; total {sum(took.values()):.1f} s, data {du_mb(Path(tmp) / 'couch'):.0f} MB")
            direct = direct_stats(embedded.url, prefix, today().year)
            say("baseline: the statistics' view queries straight to pouchdb-server (no answer cache): "
                + ", ".join(f"{ms:.0f}" for ms in direct) + " ms")
            serve_and_measure(settings, Path(tmp), today().year, requests, clients, min(direct))
        finally:
            embedded.stop()


def serve_and_measure(settings: dict, tmp: Path, year: int, requests: int, clients: int, baseline: float) -> None:
    web, base = _start_gunicorn(settings, tmp / "access.log")
    worst = None
    try:
        token = sign_in(base)
        served = httpx.get(f"{base}/api/v1/openapi.json", timeout=30).json()["paths"]
        for name, (path, urls) in endpoints(year).items():
            if path not in served:
                say(f"{name}: skipped, {path} is not served by this build")
                continue
            result = measure(base, token, urls, requests, clients)
            say(f"{name}: {requests} requests, {clients} clients, p50 {result['p50']:.1f} ms, "
                f"p95 {result['p95']:.1f} ms, max {result['max']:.1f} ms; first requests (cold) up to "
                f"{result['cold_max']:.0f} ms; errors {len(result['errors'])}"
                + (f" (first: {result['errors'][0]})" if result["errors"] else ""))
            if name == "stats":
                say(f"stats_vs_uncached={baseline / result['p95']:.1f}x (uncached {baseline:.0f} ms)")
            if result["errors"] or result["cold_errors"]:
                raise RuntimeError(f"{name}: requests failed: {(result['errors'] or result['cold_errors'])[:3]}")
            worst = max(worst or 0.0, result["p95"])
    finally:
        web.terminate()
        web.wait(30)
    say(f"p95_ms={worst:.1f}" if worst is not None else "p95_ms=nan (nothing measured)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inspections", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--no-mango", action="store_true",
                    help="do not build records' Mango indexes first (the three measured endpoints read views only)")
    ap.add_argument("--plain-views", action="store_true",
                    help="run pouchdb-server without sync/pouchdb_views.js (the view-building baseline)")
    args = ap.parse_args()
    os.environ.setdefault("WEB_CONCURRENCY", "4")
    run(args.inspections, args.requests, args.clients, args.plain_views, not args.no_mango)


if __name__ == "__main__":
    main()
