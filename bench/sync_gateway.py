"""Benchmark: PouchDB replication through the sync gateway (gunicorn) against straight to CouchDB, same run.

    python bench/sync_gateway.py --docs 1000 --photos 100      last line: gateway_overhead=<gateway / direct>

Node PouchDB (tests/integration/pouch_client.js) pushes `docs` small documents and `photos` ~200 KB JPEG-like
attachments into a fresh database, then a fresh phone pulls them all back. Each round does it once through
the gateway (app under gunicorn with deploy/gunicorn.conf.py, bearer token, notifying a worker socket as
`make run` does) and once straight to the embedded pouchdb-server (admin Basic auth); the order alternates
between rounds.
"""
from __future__ import annotations

import argparse
import base64
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHOTO_BYTES = 200_000
BATCH_SIZE = 50  # 50 photos ≈ 13.5 MB of base64 per _bulk_docs, under SYNC_MAX_BODY_MB=20


def _settings(couch_url: str, prefix: str) -> dict:
    from server.qr.signing import generate_key_spec
    return {"COUCHDB_URL": couch_url, "DB_PREFIX": prefix, "SECRET_KEY": "g" * 48,
            "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1", "PUBLIC_BASE_URL": "http://bench.invalid"}


def _field_accounts(settings: dict, count: int) -> list[dict]:
    """Bootstrap the databases and make `count` inspectors, each with a fresh phone database and a token."""
    from server import create_app
    from server.accounts import store
    from server.cli import bootstrap_all
    from server.db import registry
    app = create_app(settings)
    accounts = []
    with app.app_context():
        bootstrap_all()
        for _ in range(count):
            hex_id = uuid.uuid4().hex[:12]
            user = store.create_user(registry(), {"username": f"bench{hex_id}", "role": "inspector",
                                                  "region": "370102", "display_name": "bench",
                                                  "password": "bench password 123", "inspector_id": f"inspector:{hex_id}"})
            accounts.append({"db": f"inspector_{hex_id}",
                             "token": store.issue_token(registry(), user, "bench", 1)["token"]})
    return accounts


def _start_gunicorn(settings: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    from sync.embedded import free_port
    bind = f"127.0.0.1:{free_port()}"
    env = {**os.environ, **settings, "BIND": bind, "ACCESS_LOG": str(log_path)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                             "server:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log_path.with_suffix(".err"), "wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{bind}/healthz", timeout=2).status_code == 200:
                return proc, f"http://{bind}"
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"gunicorn did not start; see {log_path.with_suffix('.err')}")


def _replicate(remote: str, authorization: str, docs: int, photos: int, keep_alive: bool) -> tuple[float, float]:
    """(push seconds, pull seconds) of one fresh database, as PouchDB measures them."""
    from tests.integration.gateway_fixtures import run_pouch
    job = {"remote": remote, "authorization": authorization, "batch_size": BATCH_SIZE, "keep_alive": keep_alive}
    pushed = run_pouch({**job, "direction": "push", "docs": docs, "attachments": photos,
                        "attachment_bytes": PHOTO_BYTES, "prefix": "bench"}, timeout=600)
    pulled = run_pouch({**job, "direction": "pull"}, timeout=600)
    if pushed["docs_written"] != docs + photos or pulled["docs_read"] != docs + photos:
        raise RuntimeError(f"replication incomplete: pushed {pushed['docs_written']}, pulled {pulled['docs_read']}")
    if pulled["photos"] != pushed["photos"]:
        raise RuntimeError("photos differ after the round trip")
    return pushed["seconds"], pulled["seconds"]


def measure(docs: int = 1000, photos: int = 100, rounds: int = 4, warmup: int = 1, keep_alive: bool = True) -> dict:
    """Replicate through the gateway and straight to CouchDB `rounds` times each, alternating the order,
    after `warmup` unmeasured rounds of both (a fresh pouchdb-server and fresh gunicorn workers are slow at
    first, and without a warm-up only the gateway, which goes first, paid for it)."""
    with tempfile.TemporaryDirectory() as tmp:
        embedded = None
        couch_url = os.environ.get("COUCHDB_URL")
        if not couch_url:
            from sync.embedded import EmbeddedCouch
            embedded = EmbeddedCouch(Path(tmp) / "couch").start()
            couch_url = embedded.url
        prefix = "bench" + uuid.uuid4().hex[:6] + "_"
        settings = _settings(couch_url, prefix)
        accounts = _field_accounts(settings, warmup + rounds)
        # As deployed, the gateway names each written database on the worker's socket (here nobody reads it).
        inbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        inbox.bind(str(Path(tmp) / "worker.sock"))
        web, base = _start_gunicorn({**settings, "WORKER_NOTIFY_SOCKET": str(Path(tmp) / "worker.sock")},
                                    Path(tmp) / "access.log")
        parts = urlsplit(couch_url)
        basic = "Basic " + base64.b64encode(f"{parts.username}:{parts.password}".encode()).decode()
        direct_base = f"{parts.scheme}://{parts.hostname}:{parts.port}"
        runs = []
        try:
            for i, account in enumerate(accounts, start=-warmup):
                order = ("gateway", "direct") if i % 2 == 0 else ("direct", "gateway")
                for way in order:
                    if way == "gateway":
                        push, pull = _replicate(f"{base}/sync/{account['db']}", f"Bearer {account['token']}",
                                                docs, photos, keep_alive)
                    else:
                        push, pull = _replicate(f"{direct_base}/{prefix}direct_{i + warmup}", basic, docs, photos, keep_alive)
                    runs.append({"way": way, "round": i, "push_s": push, "pull_s": pull, "warmup": i < 0})
        finally:
            web.terminate()
            web.wait(30)
            inbox.close()
            if embedded:
                embedded.stop()
    return _summary(runs, docs, photos)


def _summary(runs: list[dict], docs: int, photos: int) -> dict:
    everything, runs = runs, [r for r in runs if not r["warmup"]]
    total = {way: sum(r["push_s"] + r["pull_s"] for r in runs if r["way"] == way) for way in ("gateway", "direct")}
    push = {way: sum(r["push_s"] for r in runs if r["way"] == way) for way in ("gateway", "direct")}
    pull = {way: sum(r["pull_s"] for r in runs if r["way"] == way) for way in ("gateway", "direct")}
    return {"docs": docs, "photos": photos, "runs": everything, "gateway_s": total["gateway"], "direct_s": total["direct"],
            "push_overhead": push["gateway"] / push["direct"], "pull_overhead": pull["gateway"] / pull["direct"],
            "gateway_overhead": total["gateway"] / total["direct"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--photos", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=4, help="measured rounds of both ways (more: less noise)")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (0: none, as before)")
    ap.add_argument("--no-keep-alive", dest="keep_alive", action="store_false",
                    help="a new connection for every request (PouchDB's node-fetch default; browsers keep them)")
    args = ap.parse_args()
    result = measure(args.docs, args.photos, args.rounds, args.warmup, args.keep_alive)
    for run in result["runs"]:
        label = "warm-up" if run["warmup"] else f"round {run['round']}"
        print(f"{label:8} {run['way']:8} push {run['push_s']:.2f}s pull {run['pull_s']:.2f}s")
    print(f"gateway {result['gateway_s']:.2f}s, direct {result['direct_s']:.2f}s; "
          f"push_overhead={result['push_overhead']:.2f} pull_overhead={result['pull_overhead']:.2f}")
    print(f"gateway_overhead={result['gateway_overhead']:.2f}")


if __name__ == "__main__":
    main()
