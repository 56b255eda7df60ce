"""The sync gateway with a real PouchDB client and a real pouchdb-server: replication, long polls, round trips."""
import hashlib
import json
import subprocess
import threading
import time
from urllib.parse import quote

from werkzeug.serving import make_server

from server.db import couch, ensure_inspector_db
from server.stats.cache import seq_count
from sync.bootstrap import SECURITY
from tests.integration.gateway_fixtures import (POUCH_CLIENT, ROOT, field_user, live_server,  # noqa: F401
                                                run_pouch, server_db)

MB = 1024 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wait_for(predicate, timeout: float = 30.0) -> bool:
    """Poll until `predicate()` holds (a replication reaching the server), instead of sleeping blindly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def doc_count(app, user) -> int:
    with app.app_context():
        db = server_db(app, user)
        return db.info()["doc_count"] if db.exists() else 0


def test_push_docs_and_photos_arrive_byte_identical(app, live_server, field_user):
    a = field_user("alice")
    job = {"remote": f"{live_server}/sync/{a.db}", "authorization": f"Bearer {a.token}", "direction": "push",
           "docs": 200, "attachments": 5, "attachment_bytes": 200_000, "prefix": "push"}
    result = run_pouch(job)
    assert result["ok"] and result["docs_written"] == 205
    with app.app_context():
        db = server_db(app, a)
        assert db.info()["doc_count"] == 205
        for photo_id, digest in result["photos"].items():
            assert sha(db.get_attachment(photo_id, "photo.jpg")) == digest
        assert db.get_security() == SECURITY  # created by the gateway, admin-only like every database
    again = run_pouch({**job, "docs": 0, "attachments": 0})
    assert again["docs_written"] == 0


def test_pull_brings_down_what_the_server_wrote(app, live_server, field_user):
    a = field_user("bea")
    photo = b"\xff\xd8" + bytes(range(256)) * 800 + b"\xff\xd9"
    with app.app_context():
        db = ensure_inspector_db(a.inspector_id)
        db.bulk_docs([{"_id": f"task:{i:04d}", "type": "task", "name": f"检查任务 {i}"} for i in range(50)])
        db.put({"_id": "photo:server-1", "type": "photo"})
        db.put_attachment("photo:server-1", db.get("photo:server-1")["_rev"], "photo.jpg", photo, "image/jpeg")
    result = run_pouch({"remote": f"{live_server}/sync/{a.db}", "authorization": f"Bearer {a.token}",
                        "direction": "pull"})
    assert result["ok"] and result["docs_read"] == 51 and result["local_docs"] == 51
    assert result["photos"] == {"photo:server-1": sha(photo)}


def serve(app, port: int = 0):
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(server, thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(10)


class LivePouch:
    """pouch_client.js in live mode, driven one command at a time."""

    def __init__(self, job: dict):
        self.proc = subprocess.Popen(["node", str(POUCH_CLIENT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd=ROOT)
        self.send(job)

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def read(self) -> dict:
        return json.loads(self.proc.stdout.readline())

    def ask(self, message: dict) -> dict:
        self.send(message)
        return self.read()

    def stop(self) -> dict:
        result = self.ask({"cmd": "stop"})
        self.proc.wait(10)
        return result


def test_live_replication_with_retry_survives_the_gateway_going_away(app, field_user):
    a = field_user("carl")
    server, thread = serve(app)
    port = server.server_port
    phone = LivePouch({"remote": f"http://127.0.0.1:{port}/sync/{a.db}", "authorization": f"Bearer {a.token}",
                       "direction": "live", "docs": 20, "prefix": "live"})
    try:
        assert phone.read()["written"] == 20
        assert wait_for(lambda: doc_count(app, a) == 20)
        stop(server, thread)  # the gateway is gone: a phone in a basement
        assert phone.ask({"cmd": "write", "docs": 30})["written"] == 50
        time.sleep(1.5)
        assert doc_count(app, a) == 20
        server, thread = serve(app, port)
        assert wait_for(lambda: doc_count(app, a) == 50)
        result = phone.stop()
        assert result["ok"] and result["paused_with_error"] >= 1, result
    finally:
        phone.proc.kill()
        stop(server, thread)


def test_live_sync_pulls_server_writes_through_long_polls(app, live_server, field_user):
    app.config["SYNC_LONGPOLL_S"] = 1  # several polls expire during the test and are answered by the gateway
    a = field_user("dora")
    with app.app_context():
        ensure_inspector_db(a.inspector_id)
    phone = LivePouch({"remote": f"{live_server}/sync/{a.db}", "authorization": f"Bearer {a.token}",
                       "direction": "live", "live_direction": "sync", "docs": 5, "prefix": "sync"})
    try:
        phone.read()
        assert wait_for(lambda: doc_count(app, a) == 5)
        time.sleep(2.5)  # idle: long polls time out and come back empty
        with app.app_context():
            server_db(app, a).bulk_docs([{"_id": f"review:{i}", "type": "review"} for i in range(7)])
        assert wait_for(lambda: phone.ask({"cmd": "count"})["local_docs"] == 12, timeout=15)
        assert phone.stop()["ok"]
    finally:
        phone.proc.kill()


def opened(client, user):
    """The user's phone database, opened the way PouchDB does first (GET /sync/<db>/ creates it if missing)."""
    assert client.get(f"/sync/{user.db}/", headers=user.auth).status_code == 200
    return user


def timed(call):
    started = time.monotonic()
    res = call()
    return res, time.monotonic() - started


def test_long_poll_ends_on_the_gateways_clock_or_at_the_next_change(app, client, field_user):
    app.config["SYNC_LONGPOLL_S"] = 2
    a = opened(client, field_user("eva"))
    url = f"/sync/{a.db}/_changes"
    assert client.post(f"/sync/{a.db}/_bulk_docs", headers=a.auth, json={"docs": [{"_id": "x:1"}]}).status_code == 201
    # A sequence as the engine wrote it: 1 on pouchdb-server, '1-g1AAAA…' on CouchDB 3 (which refuses since=1).
    last = client.get(f"{url}?since=0", headers=a.auth).get_json()["last_seq"]
    seq = quote(str(last), safe="")
    # timeout=60000 is capped: CouchDB is asked to end the poll a second before the gateway's clock
    # (SYNC_LONGPOLL_S), and the phone's heartbeat is not passed on (it would keep CouchDB's feed open)
    with app.app_context():   # a cluster's `_changes` is at least once: another copy may send x:1 again
        resent = {"x:1"} if server_db(app, a).info().get("cluster", {}).get("n", 1) > 1 else set()
    res, took = timed(lambda: client.get(f"{url}?feed=longpoll&since={seq}&timeout=60000&heartbeat=500",
                                         headers=a.auth))
    assert res.status_code == 200 and {r["id"] for r in res.get_json()["results"]} <= resent
    if not res.get_json()["results"]:
        assert 0.8 < took < 4
    assert seq_count(res.get_json()["last_seq"]) == seq_count(last)
    res, took = timed(lambda: client.get(f"{url}?feed=longpoll&since={seq}&timeout=700", headers=a.auth))
    assert res.get_json()["results"] == [] and took < 1.8  # never longer than the client asked
    res, took = timed(lambda: client.get(f"{url}?feed=longpoll&since=now", headers=a.auth))
    assert res.get_json()["results"] == [] and seq_count(res.get_json()["last_seq"]) == seq_count(last)
    res, took = timed(lambda: client.get(f"{url}?feed=longpoll&since=0", headers=a.auth))
    assert [r["id"] for r in res.get_json()["results"]] == ["x:1"] and took < 1  # changes waiting: at once

    def write_later():
        time.sleep(0.4)
        with app.app_context():
            server_db(app, a).put({"_id": "x:2"})
    threading.Thread(target=write_later).start()
    res, took = timed(lambda: client.get(f"{url}?feed=longpoll&since={seq}&style=all_docs", headers=a.auth))
    assert [r["id"] for r in res.get_json()["results"]] == ["x:2"] and took < 1.8


def test_changes_by_doc_ids_in_the_query_or_the_body(client, field_user):
    a = opened(client, field_user("finn"))
    client.post(f"/sync/{a.db}/_bulk_docs", headers=a.auth, json={"docs": [{"_id": f"d:{i}"} for i in range(5)]})
    # wait_for: on a CouchDB cluster `_changes` reads one copy, which can lag a write by a moment
    assert wait_for(lambda: sorted(r["id"] for r in client.post(
        f"/sync/{a.db}/_changes", headers=a.auth, json={"doc_ids": ["d:1", "d:3"]}).get_json()["results"]) == ["d:1", "d:3"], 10)
    assert wait_for(lambda: [r["id"] for r in client.get(
        f"/sync/{a.db}/_changes?filter=_doc_ids&doc_ids=%5B%22d%3A2%22%5D", headers=a.auth).get_json()["results"]] == ["d:2"], 10)
    res = client.get(f"/sync/{a.db}/_changes?include_docs=true&limit=2&since=0", headers=a.auth)
    assert len(res.get_json()["results"]) == 2 and "doc" in res.get_json()["results"][0]


def test_documents_local_docs_and_attachments_round_trip(client, field_user):
    a = opened(client, field_user("gus"))
    big = bytes(range(256)) * (11 * MB // 256)  # under SYNC_MAX_ATTACHMENT_MB=12, streamed both ways
    res = client.put(f"/sync/{a.db}/photo:big/photo.jpg", headers={**a.auth, "Content-Type": "image/jpeg"}, data=big)
    assert res.status_code == 201, res.get_json()
    got = client.get(f"/sync/{a.db}/photo:big/photo.jpg", headers=a.auth)
    assert got.status_code == 200 and got.headers["Content-Type"] == "image/jpeg" and sha(got.data) == sha(big)
    doc = client.get(f"/sync/{a.db}/photo:big?revs=true&attachments=false", headers=a.auth).get_json()
    assert doc["_attachments"]["photo.jpg"]["stub"] is True and doc["_revisions"]["start"] == 1
    res = client.put(f"/sync/{a.db}/inspection:1", headers=a.auth, json={"type": "inspection"})
    assert res.status_code == 201 and "Location" not in res.headers
    rev = res.get_json()["rev"]
    assert client.put(f"/sync/{a.db}/inspection:1", headers=a.auth, json={"type": "x"}).status_code == 409
    res = client.put(f"/sync/{a.db}/inspection:1?rev={rev}", headers=a.auth, json={"a": 1})
    assert res.status_code == 201
    leaf = res.get_json()["rev"]
    assert client.get(f"/sync/{a.db}/_local/ckpt", headers=a.auth).status_code == 404
    assert client.put(f"/sync/{a.db}/_local/ckpt", headers=a.auth, json={"last_seq": 3}).status_code == 201
    assert client.get(f"/sync/{a.db}/_local/ckpt", headers=a.auth).get_json()["last_seq"] == 3
    diff = client.post(f"/sync/{a.db}/_revs_diff", headers=a.auth, json={"inspection:1": [rev, "9-abc"]})
    answer = diff.get_json()  # CouchDB 3 also names the leaf that 9-abc could descend from
    assert set(answer) == {"inspection:1"} and answer["inspection:1"]["missing"] == ["9-abc"]
    assert answer["inspection:1"].get("possible_ancestors", [leaf]) == [leaf]
    bulk = client.post(f"/sync/{a.db}/_bulk_get?revs=true", headers=a.auth, json={"docs": [{"id": "inspection:1"}]})
    assert bulk.get_json()["results"][0]["docs"][0]["ok"]["a"] == 1
    rows = client.post(f"/sync/{a.db}/_all_docs", headers=a.auth, json={"keys": ["inspection:1", "nope"]})
    assert [r.get("id") for r in rows.get_json()["rows"]] == ["inspection:1", None]
    assert client.post(f"/sync/{a.db}/_ensure_full_commit", headers=a.auth).status_code == 201


def test_nothing_is_lost_when_couchdb_forgets_the_gateways_session(app, live_server, field_user, monkeypatch):
    """The pipe's CouchDB session cookie goes stale (a restart with a new secret) in the middle of a phone's
    sync, here just before every write: reads are retried with a new session and writes go with the
    password, so the push and the pull arrive whole, none of it counted as denied."""
    a = field_user("sina")
    forged = "AuthSession=YWRtaW46MDpmb3JnZWQ"
    with app.app_context():
        pipe = couch().pipe
        ensure_inspector_db(a.inspector_id)
    opened = pipe.open

    def stale_before_writes(method, path, *args, **kwargs):
        if path.endswith(("/_bulk_docs", "/_revs_diff")) or "/_local/" in path:
            pipe.session._cookie, pipe.session._since = forged, time.monotonic()
        return opened(method, path, *args, **kwargs)
    monkeypatch.setattr(pipe, "open", stale_before_writes)
    job = {"remote": f"{live_server}/sync/{a.db}", "authorization": f"Bearer {a.token}", "direction": "push",
           "docs": 150, "attachments": 3, "attachment_bytes": 50_000, "prefix": "stale", "batch_size": 20}
    pushed = run_pouch(job)
    assert pushed["docs_written"] == 153 and doc_count(app, a) == 153
    pulled = run_pouch({**job, "direction": "pull"})
    assert pulled["docs_read"] == 153 and pulled["photos"] == pushed["photos"]
    assert pipe.session._cookie != forged  # the last request left a session that works
