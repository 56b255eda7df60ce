"""Two workers on one CouchDB (workers on more than one machine, issue 18 item 6): a document is filed once,
nothing is set aside or rejected because the other worker got there first, and checkpoints do not go back.

The first test makes the race happen at a chosen moment (worker B files while worker A is between reading
its batch and writing it); the second runs two `python -m sync.worker` processes side by side on pushes.
"""
import os
import subprocess
import sys
import time
import uuid

from sync.worker.__main__ import build
from sync.worker.checkpoints import advance
from tests.integration.review_fixtures import hazard
from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db, records

A, B = "inspector:aaaa00000001", "inspector:aaaa00000002"


class FilesFirst:
    """The records database as worker A sees it: its first batch write lets worker B file everything first."""

    def __init__(self, db, other):
        self._db, self._other, self.raced = db, other, False

    def __getattr__(self, name):
        return getattr(self._db, name)

    def bulk_docs(self, docs, *args, **kwargs):
        if not self.raced:
            self.raced = True
            self._other()
        return self._db.bulk_docs(docs, *args, **kwargs)


def pushed(app, member: str, task: dict, hazards: int = 2) -> list[dict]:
    db = phone_db(app, member)
    record = inspection(app, task)
    docs = [record] + [hazard(task, record["_id"], "general", f"灭火器过期 {n}") for n in range(hazards)]
    for doc in docs:
        doc["_rev"] = db.put(doc)["rev"]
    return docs


def rejections(app, member: str) -> list[str]:
    rows = phone_db(app, member).all_docs(startkey="rejection:", endkey="rejection:\ufff0")
    return [r["id"] for r in rows]


def assert_filed_once(app, docs: list[dict]) -> None:
    got = records(app).docs_by_id([d["_id"] for d in docs])
    for doc in docs:
        record = got[doc["_id"]]
        assert record["source"]["rev"] == doc["_rev"], doc["_id"]
        assert not records(app).get(doc["_id"], conflicts="true").get("_conflicts"), doc["_id"]
    cases = records(app).docs_by_id(["case:" + d["_id"].split(":", 1)[1] for d in docs if d["type"] == "hazard"])
    assert len(cases) == len([d for d in docs if d["type"] == "hazard"])


def test_a_batch_the_other_worker_filed_meanwhile_is_neither_set_aside_nor_rejected(app):
    task = dispatched_task(app, [A])
    docs = pushed(app, A, task)
    with app.app_context():
        first, second = build(app), build(app)
        racing = FilesFirst(first.records, second.run_once)
        first.records = racing
        first.run_once()
        assert racing.raced
        assert first.quarantined == 0 and rejections(app, A) == []
        assert first.run_once() == 0          # read again: found filed, nothing written twice
        assert first.report()["last_error"] is None   # a race is not trouble
    assert_filed_once(app, docs)


def test_a_checkpoint_moved_by_the_other_worker_never_goes_back(app):
    with app.app_context():
        db = records(app)
        doc_id = f"_local/worker-test-{uuid.uuid4().hex[:8]}"
        stale = {"_id": doc_id, "_rev": db.put({"_id": doc_id, "seq": "0"})["rev"], "seq": "0"}  # both read this
        db.put(dict(db.get(doc_id), seq="40-theirs"))                                          # B moves on
        assert advance(db, dict(stale), "12-mine")["seq"] == "40-theirs"                     # A is behind: theirs
        assert db.get(doc_id)["seq"] == "40-theirs"
        assert advance(db, dict(stale), "55-mine")["seq"] == "55-mine"                       # A is ahead: A's
        assert db.get(doc_id)["seq"] == "55-mine"
        fresh = f"_local/worker-test-{uuid.uuid4().hex[:8]}"                                 # none stored yet
        assert advance(db, {"_id": fresh, "seq": "0"}, "3-first")["seq"] == "3-first"
        assert db.get(fresh)["seq"] == "3-first"


def test_two_worker_processes_file_every_push_once(app, couch_url, db_prefix, tmp_path):
    env = {**os.environ, "COUCHDB_URL": couch_url, "DB_PREFIX": db_prefix, "SECRET_KEY": app.config["SECRET_KEY"],
           "QR_KEYS": app.config["QR_KEYS"], "QR_ACTIVE_KEY": "k1", "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
           "WORKER_POLL_S": "1", "WORKER_NOTIFY_SOCKET": ""}
    procs = [subprocess.Popen([sys.executable, "-m", "sync.worker"], env=env) for _ in range(2)]
    try:
        members = [f"inspector:bbbb{n:08d}" for n in range(4)]
        tasks = {m: dispatched_task(app, [m]) for m in members}
        docs = {m: [] for m in members}
        for _round in range(3):                     # pushes keep coming while both workers run
            for member in members:
                docs[member] += pushed(app, member, tasks[member], hazards=3)
            time.sleep(0.5)
        every = [d for member in members for d in docs[member]]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            got = records(app).docs_by_id([d["_id"] for d in every])
            if all(got.get(d["_id"], {}).get("source", {}).get("rev") == d["_rev"] for d in every):
                break
            time.sleep(0.5)
        assert all(p.poll() is None for p in procs), "a worker died"
        assert_filed_once(app, every)
        assert [r for m in members for r in rejections(app, m)] == []
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(15)
