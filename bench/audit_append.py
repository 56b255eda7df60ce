"""Benchmark: audit appends racing from several processes, each with many threads (issue 17 item 4).

    python bench/audit_append.py --processes 3 --threads 32 --per-thread 5
    last line: appends=<ok> failures=<n> p95_ms=<per append> seconds=<wall> verify=<ok|broken>

Each process is its own Python interpreter (as gunicorn workers are) and appends to its own lane
(server/audit.py), serialized within the process; before lanes, appends raced between processes for one
chain (pouchdb-server answered the loser 403, Apache CouchDB 409). `--no-validate` drops the validate
function first. Runs against COUCHDB_URL (a single CouchDB, a cluster) or a fresh embedded pouchdb-server;
verifies the log at the end."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
from server import create_app, audit
from server.db import database
cfg, threads, per = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
app = create_app(cfg)
def run(i):
    times, failed = [], 0
    with app.app_context():
        for n in range(per):
            start = time.perf_counter()
            try:
                audit.append(database("audit"), "bench", "bench.append", f"t{i}:{n}")
                times.append(time.perf_counter() - start)
            except Exception:
                failed += 1
    return times, failed
with ThreadPoolExecutor(threads) as pool:
    results = list(pool.map(run, range(threads)))
print(json.dumps({"times": [t for r in results for t in r[0]], "failed": sum(r[1] for r in results)}))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--per-thread", type=int, default=5)
    parser.add_argument("--no-validate", action="store_true", help="drop the validate function (409 like CouchDB)")
    args = parser.parse_args()
    from server import audit, create_app
    from server.cli import bootstrap_all
    from server.db import database
    from server.qr.signing import generate_key_spec
    embedded = None
    url = os.environ.get("COUCHDB_URL")
    if not url:
        from sync.embedded import EmbeddedCouch
        embedded = EmbeddedCouch(Path(tempfile.mkdtemp(prefix="bench-audit-"))).start()
        url = embedded.url
    cfg = {"COUCHDB_URL": url, "DB_PREFIX": f"ba{uuid.uuid4().hex[:8]}_", "SECRET_KEY": "b" * 48,
           "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1", "AUDIT_KEYS": generate_key_spec("a1"),
           "AUDIT_ACTIVE_KEY": "a1", "AUDIT_CHECKPOINT_DIR": tempfile.mkdtemp(prefix="bench-cp-")}
    app = create_app(cfg)
    try:
        with app.app_context():
            bootstrap_all()
            if args.no_validate:
                db = database("audit")
                db.delete("_design/audit", db.get("_design/audit")["_rev"])
        start = time.perf_counter()
        children = [subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(cfg), str(args.threads),
                                      str(args.per_thread)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
                    for _ in range(args.processes)]
        outputs = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
        wall = time.perf_counter() - start
        times = sorted(t for out in outputs for t in out["times"])
        failed = sum(out["failed"] for out in outputs)
        with app.app_context():
            result = audit.verify_chain(database("audit"))
        p95 = times[int(len(times) * 0.95) - 1] * 1000 if times else 0
        print(f"appends={len(times)} failures={failed} p95_ms={p95:.0f} seconds={wall:.1f} "
              f"verify={'ok' if result['ok'] and result['entries'] == len(times) else 'broken'}")
        return 0 if not failed and result["ok"] else 1
    finally:
        if embedded:
            embedded.stop()
        else:       # a shared CouchDB keeps no trace of the run
            from sync.couch import Couch
            server = Couch(url)
            for name in server.all_dbs():
                if name.startswith(cfg["DB_PREFIX"]):
                    server.delete_db(name)


if __name__ == "__main__":
    sys.exit(main())
