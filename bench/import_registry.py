"""Benchmark: register import through the project's path vs. plain _bulk_docs of the same documents.

    python bench/import_registry.py --enterprises 100000

Last line: import_ratio=<project time / plain time>. Uses COUCHDB_URL if set, else a fresh embedded
pouchdb-server in a temporary directory.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.demo.generate import enterprise_rows, write_csv  # noqa: E402
from server.registry import tabular  # noqa: E402
from server.registry.importer import BATCH, run_import  # noqa: E402
from sync.bootstrap import bootstrap  # noqa: E402
from sync.couch import Couch  # noqa: E402

ADMIN = {"username": "bench", "role": "admin", "region": "370000"}


def server_url(tmp: str):
    if os.environ.get("COUCHDB_URL"):
        return os.environ["COUCHDB_URL"], None
    from sync.embedded import EmbeddedCouch
    embedded = EmbeddedCouch(Path(tmp)).start()
    return embedded.url, embedded


def plain_write(couch: Couch, name: str, docs: list[dict]) -> float:
    couch.create_db(name)  # no-op when it exists already (the bootstrapped twin)
    db = couch.db(name)
    start = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        db.bulk_docs(docs[i:i + BATCH])
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, embedded = server_url(tmp)
        couch = Couch(url, timeout=600)
        prefix = "bench" + uuid.uuid4().hex[:8] + "_"
        bootstrap(couch, prefix)
        t0 = time.perf_counter()
        rows = enterprise_rows(n=args.enterprises, seed=7)
        buf = io.BytesIO()
        write_csv(rows, buf)
        data = buf.getvalue()
        print(f"generated {len(rows)} rows, {len(data) / 1e6:.1f} MB CSV in {time.perf_counter() - t0:.1f}s")

        registry = couch.db(prefix + "registry")
        start = time.perf_counter()
        parsed = tabular.read_table(data, "bench.csv", "enterprises", max_bytes=len(data) + 1)
        result = run_import(registry, "enterprises", parsed.rows, ADMIN, "bench.csv")
        project = time.perf_counter() - start
        print(f"project import: {project:.2f}s ({result['created']} documents created)")

        written = [r["doc"] for r in registry.all_docs(include_docs=True)
                   if r["id"].startswith(("enterprise:", "site:"))]
        for doc in written:
            doc.pop("_rev", None)
        plain = plain_write(couch, prefix + "plain", written)
        print(f"plain _bulk_docs of the same {len(written)} documents into an empty database: {plain:.2f}s")
        twin = prefix + "twin_"
        bootstrap(couch, twin)  # same design documents and indexes as the project's registry
        same_setup = plain_write(couch, twin + "registry", written)
        print(f"plain _bulk_docs into a database set up like the registry: {same_setup:.2f}s "
              f"(ratio against it: {project / same_setup:.2f})")
        for name in couch.all_dbs():
            if name.startswith(prefix):
                couch.delete_db(name)
        if embedded:
            embedded.stop()
        print(f"import_ratio={project / plain:.2f}")


if __name__ == "__main__":
    main()
