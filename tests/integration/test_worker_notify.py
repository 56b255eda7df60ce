"""The gateway tells the worker of each push: filed at once, a lost word found by the sweep, garbage ignored."""
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from sync.notify import Notifier
from sync.worker.wake import DbUpdatesFollower, db_updates_seq
from tests.integration.gateway_fixtures import field_user  # noqa: F401  (fixture)
from tests.integration.lag import rows_by_key
from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db, records

STATUS = "_local/worker-status"


def wait_for(predicate, timeout: float) -> float | None:
    """Seconds until `predicate()` held, or None if it never did within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


@pytest.fixture
def worker(app, couch_url, db_prefix, tmp_path):
    """`worker(poll_s)` starts `python -m sync.worker` listening on its socket; returns (process, socket path)
    once its first sweep is done."""
    started = []

    def start(poll_s: int):
        path = str(tmp_path / "worker.sock")
        env = {**os.environ, "COUCHDB_URL": couch_url, "DB_PREFIX": db_prefix,
               "SECRET_KEY": app.config["SECRET_KEY"], "QR_KEYS": app.config["QR_KEYS"], "QR_ACTIVE_KEY": "k1",
               "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"], "WORKER_POLL_S": str(poll_s),
               "WORKER_NOTIFY_SOCKET": path}
        proc = subprocess.Popen([sys.executable, "-m", "sync.worker"], env=env)
        started.append(proc)
        ready = wait_for(lambda: os.path.exists(path) and records(app).get_or_none(STATUS) is not None, 60)
        assert ready is not None and proc.poll() is None, "the worker did not start"
        return proc, path
    yield start
    for proc in started:
        proc.terminate()
        proc.wait(15)


def filed(app, doc_id: str):
    return lambda: records(app).get_or_none(doc_id) is not None


def push(app, client, user, path: str, doc: dict):
    """A phone's push through the gateway, the gateway notifying the worker on `path`."""
    app.config["WORKER_NOTIFY_SOCKET"] = path
    res = client.post(f"/sync/{user.db}/_bulk_docs", json={"docs": [doc]}, headers=user.auth)
    assert res.status_code == 201, res.get_data(as_text=True)


def test_a_push_is_filed_long_before_the_sweep(app, client, field_user, worker):
    alice = field_user("alice")
    task = dispatched_task(app, [alice.inspector_id])
    phone_db(app, alice.inspector_id)
    proc, path = worker(poll_s=600)
    status_rev = records(app).get(STATUS)["_rev"]
    doc = inspection(app, task)
    push(app, client, alice, path, doc)
    took = wait_for(filed(app, doc["_id"]), 20)
    assert took is not None, "a notified push must be filed within seconds, not at the sweep 600 s away"
    assert records(app).get(doc["_id"])["inspector"] == alice.inspector_id
    assert records(app).get(STATUS)["_rev"] == status_rev, "filed by the notification, not by a sweep"
    doc2 = inspection(app, task)   # and again: the worker keeps listening
    push(app, client, alice, path, doc2)
    assert wait_for(filed(app, doc2["_id"]), 30) is not None
    assert proc.poll() is None


def test_a_lost_notification_is_found_by_the_sweep(app, client, field_user, worker, tmp_path):
    bob = field_user("bob")
    task = dispatched_task(app, [bob.inspector_id])
    phone_db(app, bob.inspector_id)
    proc, _ = worker(poll_s=3)
    doc = inspection(app, task)
    push(app, client, bob, str(tmp_path / "nobody-listens.sock"), doc)   # the word goes nowhere
    assert wait_for(filed(app, doc["_id"]), 60) is not None, "the sweep must find what the notification missed"


def hostile_datagrams(prefix: str) -> list[bytes]:
    names = [prefix + "registry", prefix + "records", prefix + "audit", prefix + "public", "_users",
             "_replicator", "_global_changes", "../" + prefix + "registry", prefix + "inspector_../registry",
             prefix + "inspector_" + "g" * 12, prefix + "inspector_" + "A" * 12, prefix + "inspector_" + "a" * 13,
             prefix + "inspector_" + "a" * 12 + "\n", " " + prefix + "inspector_" + "a" * 12,
             "inspector_" + "a" * 12, "zz_inspector_" + "a" * 12, prefix + "inspector_" + "b" * 12,
             '{"db": "%sregistry"}' % prefix, prefix + "inspector_aaaaaaaaaaaa/_design/x"]
    return ([n.encode() for n in names] + [b"", b"\x00\xff\xfe", (prefix + "inspector_ÄÄÄÄÄÄÄÄÄÄÄÄ").encode(),
                                            b"x" * 60_000]
            + [f"{prefix}inspector_{i:012x}".encode() for i in range(3000)])   # a flood of names of no database


def test_garbage_notifications_make_the_worker_look_at_real_inspector_databases_only(
        app, client, field_user, worker, db_prefix):
    carol = field_user("carol")
    task = dispatched_task(app, [carol.inspector_id])
    phone_db(app, carol.inspector_id)
    proc, path = worker(poll_s=600)
    named = {n.decode("utf-8", "replace") for n in hostile_datagrams(db_prefix)} - {"_global_changes"}

    def state(known=None):   # this test's databases and every one the garbage names: which exist, and each
        # document's revision (not update_seq: a CouchDB cluster's differs between reads of shard copies of the same
        # content; other tests' databases on a shared server, and _global_changes which logs their writes, are not
        # ours). Read by key (`lag.rows_by_key`): one copy's plain `_all_docs` showed `_design/idx` at its first
        # revision of five, twice in a row, under load.
        with app.app_context():
            from server.db import couch
            return {name: {row["id"]: row["value"] for row in rows_by_key(couch().db(name), (known or {}).get(name, ()))
                           if "value" in row}
                    for name in couch().all_dbs() if name.startswith(db_prefix) or name in named}
    before = state()
    for _ in range(20):   # settled: two reads in a row agree
        time.sleep(0.5)
        if (again := state(before)) == before:
            break
        before = again
    status = records(app).get(STATUS)
    sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sender.setblocking(False)
    for datagram in hostile_datagrams(db_prefix):
        for _ in range(50):   # the worker's queue holds a few datagrams: wait for room, as a patient attacker
            try:
                sender.sendto(datagram, path)
                break
            except BlockingIOError:
                time.sleep(0.005)
    sender.setblocking(True)
    sender.sendto(f"{db_prefix}{carol.db}".encode(), path)   # a real one, with nothing new in it
    sender.close()
    time.sleep(2)
    assert proc.poll() is None, "garbage must not stop the worker"
    assert state(before) == before, "a notification may create nothing and write nothing, anywhere"
    assert records(app).get(STATUS)["_rev"] == status["_rev"] and status["last_error"] is None
    doc = inspection(app, task)
    push(app, client, carol, path, doc)
    assert wait_for(filed(app, doc["_id"]), 30) is not None, "after the garbage, a real push is still filed"


def test_the_gateway_never_fails_or_waits_on_a_notification(app, client, field_user, tmp_path):
    dave = field_user("dave")
    phone_db(app, dave.inspector_id)
    deaf = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)   # a worker that never reads: its queue fills
    deaf.bind(str(tmp_path / "deaf.sock"))
    (tmp_path / "plain-file").write_text("not a socket")
    for path in (str(tmp_path / "deaf.sock"), str(tmp_path / "missing.sock"), str(tmp_path / "plain-file"),
                 str(tmp_path), "/nonexistent/dir/worker.sock"):
        app.config["WORKER_NOTIFY_SOCKET"] = path
        for i in range(15):
            started = time.monotonic()
            res = client.put(f"/sync/{dave.db}/note:{len(path)}-{i}", json={"type": "note"}, headers=dave.auth)
            assert res.status_code == 201, (path, res.get_data(as_text=True))
            assert time.monotonic() - started < 5
    notifier = Notifier()
    started = time.monotonic()
    lost = [notifier.changed(str(tmp_path / "deaf.sock"), "x" * 100) for _ in range(1000)]
    assert time.monotonic() - started < 2 and lost.count(False) > 900   # the full queue drops, at once
    assert notifier.changed("", "x") is False and notifier.changed(str(tmp_path / "deaf.sock"), "名") is False
    deaf.close()


def test_db_updates_is_used_only_where_the_server_offers_it(app, db_prefix):
    with app.app_context():
        from server.db import couch
        offered = couch().request("GET", "/_db_updates").status_code == 200
        assert (db_updates_seq(couch()) is not None) == offered   # pouchdb-server: 400, the worker lists
        if offered:
            return
        ended, stop = [], threading.Event()   # a server that stops offering the feed: back to listing
        follower = DbUpdatesFollower(couch(), db_prefix, "0", deliver=lambda names: None,
                                     on_end=lambda: ended.append(True), stop=stop)
        follower.thread.join(30)
        stop.set()
        assert ended == [True] and not follower.thread.is_alive()
