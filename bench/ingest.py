"""Benchmark: how many submitted records per second the worker files (validate, authorise, evidence, file).

    python bench/ingest.py --records 10000      last line: ingest_docs_per_s=<n>
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(records: int = 10_000) -> dict:
    from server import create_app
    from server.cli import bootstrap_all
    from server.qr.signing import generate_key_spec
    from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db, run_worker
    with tempfile.TemporaryDirectory() as tmp:
        embedded = None
        url = os.environ.get("COUCHDB_URL")
        if not url:
            from sync.embedded import EmbeddedCouch
            embedded = EmbeddedCouch(Path(tmp)).start()
            url = embedded.url
        app = create_app({"COUCHDB_URL": url, "DB_PREFIX": "ingest" + uuid.uuid4().hex[:6] + "_",
                          "SECRET_KEY": "b" * 40, "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1",
                          "PUBLIC_BASE_URL": "http://bench.invalid"})
        with app.app_context():
            bootstrap_all()
        inspector = "inspector:" + uuid.uuid4().hex[:12]
        task = dispatched_task(app, [inspector])
        db = phone_db(app, inspector)
        docs = [inspection(app, task) for _ in range(records)]
        for start in range(0, records, 1000):
            db.bulk_docs(docs[start:start + 1000])
        began = time.perf_counter()
        filed = 0
        while filed < records:
            step = run_worker(app)
            if step == 0:
                break
            filed += step
        elapsed = time.perf_counter() - began
        if embedded:
            embedded.stop()
    return {"records": records, "filed": filed, "seconds": elapsed, "docs_per_s": filed / elapsed}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10_000)
    result = measure(ap.parse_args().records)
    print(f"filed {result['filed']} of {result['records']} records in {result['seconds']:.1f}s")
    print(f"ingest_docs_per_s={result['docs_per_s']:.0f}")


if __name__ == "__main__":
    main()
