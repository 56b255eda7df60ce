"""The audit log under concurrency (issue 17 item 4) and against a database admin who rewrites it (issue 14).

Real embedded pouchdb-server (or COUCHDB_URL); a second and third OS process append at the same time as this
one. Each process appends to its own lane, so processes never race for an entry (on a CouchDB cluster two
racers could both be accepted, on different copies); the tests show every append lands, once, and verifies."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from server import audit
from server.accounts import store
from server.db import database, registry
from server.qr.signing import generate_key_spec
from sync.couch import CouchError
from tests.integration.lag import audit_entries

ROOT = Path(__file__).resolve().parents[2]
CHILD = textwrap.dedent("""
    import sys, json
    from concurrent.futures import ThreadPoolExecutor
    from server import create_app, audit
    from server.db import database
    cfg = json.loads(sys.argv[1])
    app = create_app(cfg)
    def one(i):
        with app.app_context():
            audit.append(database("audit"), "proc", "test.append", f"{sys.argv[2]}:{i}")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(int(sys.argv[3]))))
""")


def _child_config(app) -> dict:
    keys = ("COUCHDB_URL", "DB_PREFIX", "SECRET_KEY", "QR_KEYS", "QR_ACTIVE_KEY", "AUDIT_KEYS",
            "AUDIT_ACTIVE_KEY", "AUDIT_CHECKPOINT_DIR")
    return {"TESTING": True, **{k: app.config[k] for k in keys}}


@pytest.fixture
def keyed(app, tmp_path):
    app.config.update(AUDIT_KEYS=generate_key_spec("a1"), AUDIT_ACTIVE_KEY="a1",
                      AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints"), AUDIT_CHECKPOINT_EVERY_S=0)
    return app


def _run_children(app, count: int, per_child: int) -> list[subprocess.Popen]:
    cfg = json.dumps(_child_config(app))
    return [subprocess.Popen([sys.executable, "-c", CHILD, cfg, f"p{n}", str(per_child)], cwd=ROOT,
                             stderr=subprocess.PIPE, text=True) for n in range(count)]


def _entry(app, seq: int) -> dict:
    """Entry `seq` of the test's own lane (the only lane when one process filled the log)."""
    return audit_entries(app, count=seq)[seq - 1]


def test_forty_concurrent_audited_requests_all_answer_and_each_is_audited_once(keyed, client):
    """Issue 17: 16 simultaneous audited reads answered 500 (two appends racing for one entry)."""
    with keyed.app_context():
        store.create_user(registry(), {"username": "sup", "role": "supervisor", "region": "370100",
                                       "display_name": "s", "password": "correct horse battery 9"})
        token = store.issue_token(registry(), store.get_user(registry(), "sup"), "t", 1)["token"]
    children = _run_children(keyed, 2, 16)          # two other processes append at the same moment

    def one(_):
        return keyed.test_client().get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"}).status_code
    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(one, range(40)))
    for child in children:
        assert child.wait(120) == 0, child.stderr.read()
    assert statuses == [200] * 40
    entries = audit_entries(keyed, count=72)
    assert sum(1 for e in entries if e["action"] == "plan.list") == 40
    assert sum(1 for e in entries if e["action"] == "test.append") == 32
    assert len({e["subject"] for e in entries if e["action"] == "test.append"}) == 32
    with keyed.app_context():
        assert audit.verify_chain(database("audit"))["ok"] is True


def test_three_processes_append_without_the_validate_function(keyed):
    """Without the validate function (pouchdb-server then answers like Apache CouchDB) the lanes still hold."""
    with keyed.app_context():
        db = database("audit")
        db.delete("_design/audit", db.get("_design/audit")["_rev"])
    children = _run_children(keyed, 3, 12)
    for child in children:
        assert child.wait(120) == 0, child.stderr.read()
    with keyed.app_context():
        result = audit.verify_chain(database("audit"))
    assert result["ok"] is True and result["entries"] == 36


def _fill(app, n: int = 6) -> None:
    with app.app_context():
        for i in range(n):
            audit.append(database("audit"), "admin", "test.action", f"thing:{i}", {"n": i})


def _admin_edit(app, seq: int, change: dict, rehash_rest: bool = False) -> None:
    """What the application's CouchDB admin can do: drop the validate function, edit, recompute hashes."""
    with app.app_context():
        db = database("audit")
        ddoc = db.get_or_none("_design/audit")
        if ddoc:
            db.delete("_design/audit", ddoc["_rev"])
        entries = audit_entries(app, count=seq)
        prev = entries[seq - 2]["hash"] if seq > 1 else audit.GENESIS
        for doc in entries[seq - 1:] if rehash_rest else [entries[seq - 1]]:
            doc.update(change if doc["seq"] == seq else {})
            doc["prev"] = prev
            doc["hash"] = audit.entry_hash(doc)
            prev = doc["hash"]
            db.put(doc)


def _verify(app) -> dict:
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    body = json.loads(result.output)
    assert (result.exit_code == 0) is body["ok"]
    return body


def _verify_broken(app, wait_s: float = 10.0) -> dict:
    """verify-audit after the log was tampered with, once it says so: on a CouchDB cluster `_all_docs` reads
    one copy of each shard, which can show an entry for a moment after it was changed or deleted."""
    deadline = time.monotonic() + wait_s
    while (body := _verify(app))["ok"] and time.monotonic() < deadline:
        time.sleep(0.5)
    return body


def test_an_intact_log_verifies(keyed):
    _fill(keyed)
    assert _verify(keyed) == {**_verify(keyed), "ok": True, "entries": 6}


def test_an_edited_entry_with_every_later_hash_recomputed_is_detected(keyed):
    _fill(keyed)
    _admin_edit(keyed, 3, {"actor": "someone-else"}, rehash_rest=True)
    body = _verify_broken(keyed)
    assert body["ok"] is False and body["broken_at"] == 3 and "audit key" in body["reason"]


def test_a_deleted_entry_is_detected(keyed):
    _fill(keyed)
    _admin_edit(keyed, 1, {})  # drops the validate function; entry 1 rewritten with the same content
    with keyed.app_context():
        db = database("audit")
        doc = _entry(keyed, 4)
        db.delete(doc["_id"], doc["_rev"])
    body = _verify_broken(keyed)
    assert body["ok"] is False and "missing entry 4" in body["reason"]


def test_a_truncated_log_is_detected_by_the_checkpoint(keyed):
    _fill(keyed)
    with keyed.app_context():
        written = audit.checkpoint(database("audit"))
    assert written["count"] == 6 and Path(written["path"]).is_file()
    _admin_edit(keyed, 1, {})
    with keyed.app_context():
        db = database("audit")
        for doc in audit_entries(keyed, count=6)[4:6]:
            db.delete(doc["_id"], doc["_rev"])
    body = _verify_broken(keyed)
    assert body["ok"] is False and "truncated" in body["reason"]


def _recreate_audit_db(app) -> None:
    """Delete and create the audit database, then wait (≤ 30 s) until it takes a write: a CouchDB cluster can
    answer 500 "No DB shards could be opened", or 404 "Database does not exist", for a while after a database
    is created again (404 for over 10 s in a whole run on the loaded three-node cluster)."""
    with app.app_context():
        couch_db = database("audit")
        couch_db.server.delete_db(couch_db.name)
        couch_db.server.create_db(couch_db.name)
        deadline = time.monotonic() + 30
        while True:
            try:
                couch_db.server.call("PUT", f"{couch_db.path}/_local/probe", json={"n": time.monotonic()})
                break
            except CouchError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    audit._lanes.clear()   # this process's lane belonged to the deleted database


def test_a_wholesale_rewrite_is_detected_with_or_without_the_key(keyed, monkeypatch):
    _fill(keyed)
    runner = keyed.test_cli_runner()
    assert runner.invoke(args=["audit-checkpoint"]).exit_code == 0
    writer = _entry(keyed, 1)["lane"]
    real_keys = keyed.config["AUDIT_KEYS"]
    _recreate_audit_db(keyed)
    keyed.config["AUDIT_KEYS"] = generate_key_spec("a1")       # an attacker's own key
    _fill(keyed, 7)
    keyed.config["AUDIT_KEYS"] = real_keys
    assert "audit key" in _verify_broken(keyed)["reason"]
    _recreate_audit_db(keyed)                                   # the key stolen too, a new writer's chain:
    _fill(keyed, 7)
    assert "truncated" in _verify_broken(keyed)["reason"]              # the writer the checkpoint counted is gone
    _recreate_audit_db(keyed)                                   # the key stolen, the old writer's chain redone:
    monkeypatch.setattr(audit, "new_lane_id", lambda: writer)
    _fill(keyed, 7)
    assert "rewritten" in _verify_broken(keyed)["reason"]              # its 6th entry is not the one checkpointed


def test_a_checkpoint_is_not_signed_over_a_broken_log(keyed):
    _fill(keyed, 3)
    _admin_edit(keyed, 2, {"actor": "someone-else"})
    result = keyed.test_cli_runner().invoke(args=["audit-checkpoint"])
    assert result.exit_code == 1 and "does not verify" in result.output
    with keyed.app_context():
        assert not list((Path(keyed.config["AUDIT_CHECKPOINT_DIR"])).rglob("all-*.json"))


def test_lanes_of_several_writers_each_verify_and_a_gap_in_one_is_named(keyed, monkeypatch):
    """Two writers interleaved in time; deleting the middle entry of one is found, with that writer named."""
    ids = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(audit, "new_lane_id", lambda: next(ids))
    _fill(keyed, 2)                     # lane a
    audit._lanes.clear()
    _fill(keyed, 3)                     # lane b, later in time
    entries = audit_entries(keyed, count=5)
    assert [(e["lane"], e["seq"]) for e in entries] == [("aaaaaaaaaaaa", 1), ("aaaaaaaaaaaa", 2),
                                                        ("bbbbbbbbbbbb", 1), ("bbbbbbbbbbbb", 2), ("bbbbbbbbbbbb", 3)]
    assert _verify(keyed)["ok"] is True and _verify(keyed)["lanes"] == 2
    _admin_edit(keyed, 1, {})           # drops the validate function
    with keyed.app_context():
        database("audit").delete(entries[3]["_id"], entries[3]["_rev"])
    body = _verify_broken(keyed)
    assert body["ok"] is False and "missing entry 2 of writer bbbbbbbbbbbb" in body["reason"]


def test_a_forged_checkpoint_is_refused_and_checkpoints_export(keyed, tmp_path):
    _fill(keyed, 2)
    runner = keyed.test_cli_runner()
    out = tmp_path / "export.json"
    assert runner.invoke(args=["audit-checkpoint", "--export", str(out)]).exit_code == 0
    exported = json.loads(out.read_text())
    assert [cp["count"] for cp in exported] == [2] and exported[0]["kid"] == "a1"
    assert list(exported[0]["lanes"].values()) == [[2, _entry(keyed, 2)["hash"]]]
    with keyed.app_context():
        folder = Path(keyed.config["AUDIT_CHECKPOINT_DIR"]) / database("audit").name
    path = next(folder.glob("*.json"))
    forged = {**json.loads(path.read_text()), "count": 1}
    path.write_text(json.dumps(forged))
    assert "signature" in _verify(keyed)["reason"]


def test_rotation_old_entries_still_verify_under_a_new_active_key(keyed):
    _fill(keyed, 2)
    keyed.config["AUDIT_KEYS"] = generate_key_spec("a2") + "," + keyed.config["AUDIT_KEYS"]
    keyed.config["AUDIT_ACTIVE_KEY"] = "a2"
    _fill(keyed, 2)
    assert [e["kid"] for e in audit_entries(keyed, count=4)] == ["a1", "a1", "a2", "a2"]
    assert _verify(keyed)["ok"] is True
    keyed.config["AUDIT_KEYS"] = keyed.config["AUDIT_KEYS"].split(",")[0]   # a1 dropped too early
    assert _verify(keyed)["ok"] is False


def test_a_log_from_before_lanes_still_verifies_and_grows(keyed):
    """Entries `audit:<seq>` (one chain) and their checkpoint, as written before lanes; new appends go on."""
    from datetime import datetime, timezone

    from server import audit_keys
    with keyed.app_context():
        db = database("audit")
        keys, active = audit_keys.keyring()
        prev = audit.GENESIS
        for seq in (1, 2, 3):
            entry = {"_id": f"audit:{seq:012d}", "type": "audit", "seq": seq,
                     "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "actor": "old",
                     "action": "test.old", "subject": f"thing:{seq}", "details": {}, "prev": prev, "kid": active}
            entry["hash"] = audit.entry_hash(entry)
            entry["mac"] = audit_keys.mac(keys[active], entry["hash"])
            db.put(entry)
            prev = entry["hash"]
        body = {"db": db.name, "count": 3, "head": prev, "kid": active, "at": "2026-01-01T00:00:00.000+00:00"}
        folder = audit_keys.checkpoint_dir(db.name)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "000000000003.json").write_text(json.dumps(
            {**body, "mac": audit_keys.mac(keys[active], audit_keys._canonical(body))}))
    _fill(keyed, 2)
    body = _verify(keyed)
    assert body["ok"] is True and body["entries"] == 5 and body["lanes"] == 2
    _admin_edit(keyed, 1, {})
    with keyed.app_context():
        last = audit_entries(keyed, count=5)[2]
        assert last["_id"] == "audit:000000000003"
        database("audit").delete(last["_id"], last["_rev"])
    assert "truncated" in _verify_broken(keyed)["reason"]
