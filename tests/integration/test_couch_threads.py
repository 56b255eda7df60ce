"""sync/couch.py under many threads (issue 17): no `Bad file descriptor`, no error at all."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sync.couch import Couch


def test_three_hundred_threads_share_one_couch_without_errors(couch_url, db_prefix):
    server = Couch(couch_url, timeout=90)  # the shared test machine is slow; the point is no transport error
    name = db_prefix + "threads"
    server.create_db(name)
    try:
        db = server.db(name)
        db.put({"_id": "doc", "n": 1})

        def work(i: int) -> int:
            for _ in range(6):
                assert db.get("doc")["n"] == 1
            return i
        with ThreadPoolExecutor(300) as pool:
            done = list(pool.map(work, range(300)))
        assert done == list(range(300))
        assert len(server.http._idle) <= server.http.max_idle  # idle clients are bounded
    finally:
        server.delete_db(name)
        server.close()
