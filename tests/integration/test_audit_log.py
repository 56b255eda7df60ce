"""The audit log under concurrency (issue 17 item 4) and against a database admin who rewrites it (issue 14).

Real embedded pouchdb-server; a second and third OS process append at the same time as this one, so the
race between processes (pouchdb-server answers 403 from the validate function; with the validate function
gone it answers 409 like Apache CouchDB) is exercised, not imagined."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from server import audit
from server.accounts import store
from server.db import database, registry
from server.qr.signing import generate_key_spec

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


def _all_entries(app) -> list[dict]:
    with app.app_context():
        rows = database("audit").all_docs(include_docs=True, startkey="audit:", endkey="audit:\ufff0")
    return [r["doc"] for r in rows]


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
    entries = _all_entries(keyed)
    assert sum(1 for e in entries if e["action"] == "plan.list") == 40
    assert sum(1 for e in entries if e["action"] == "test.append") == 32
    assert len({e["subject"] for e in entries if e["action"] == "test.append"}) == 32
    with keyed.app_context():
        assert audit.verify_chain(database("audit"))["ok"] is True


def test_appends_race_on_couchdb_conflict_answers_too(keyed):
    """Without the validate function pouchdb-server answers a lost race with 409, as Apache CouchDB does."""
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
        entries = _all_entries(app)
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


def test_an_intact_log_verifies(keyed):
    _fill(keyed)
    assert _verify(keyed) == {**_verify(keyed), "ok": True, "entries": 6}


def test_an_edited_entry_with_every_later_hash_recomputed_is_detected(keyed):
    _fill(keyed)
    _admin_edit(keyed, 3, {"actor": "someone-else"}, rehash_rest=True)
    body = _verify(keyed)
    assert body["ok"] is False and body["broken_at"] == 3 and "audit key" in body["reason"]


def test_a_deleted_entry_is_detected(keyed):
    _fill(keyed)
    _admin_edit(keyed, 1, {})  # drops the validate function; entry 1 rewritten with the same content
    with keyed.app_context():
        db = database("audit")
        doc = db.get(audit.entry_id(4))
        db.delete(doc["_id"], doc["_rev"])
    body = _verify(keyed)
    assert body["ok"] is False and "missing entry 4" in body["reason"]


def test_a_truncated_log_is_detected_by_the_checkpoint(keyed):
    _fill(keyed)
    with keyed.app_context():
        written = audit.checkpoint(database("audit"))
    assert written["count"] == 6 and Path(written["path"]).is_file()
    _admin_edit(keyed, 1, {})
    with keyed.app_context():
        db = database("audit")
        for seq in (5, 6):
            doc = db.get(audit.entry_id(seq))
            db.delete(doc["_id"], doc["_rev"])
    body = _verify(keyed)
    assert body["ok"] is False and "truncated" in body["reason"]


def test_a_wholesale_rewrite_is_detected_with_or_without_the_key(keyed):
    _fill(keyed)
    runner = keyed.test_cli_runner()
    assert runner.invoke(args=["audit-checkpoint"]).exit_code == 0
    real_keys = keyed.config["AUDIT_KEYS"]
    with keyed.app_context():
        couch_db = database("audit")
        couch_db.server.delete_db(couch_db.name)
        couch_db.server.create_db(couch_db.name)
    audit._heads.clear()   # this process's memory of the head belonged to the deleted database
    keyed.config["AUDIT_KEYS"] = generate_key_spec("a1")       # an attacker's own key
    _fill(keyed, 7)
    keyed.config["AUDIT_KEYS"] = real_keys
    assert "audit key" in _verify(keyed)["reason"]
    with keyed.app_context():                                   # the key stolen too: the checkpoint differs
        couch_db.server.delete_db(couch_db.name)
        couch_db.server.create_db(couch_db.name)
    audit._heads.clear()
    _fill(keyed, 7)
    assert "rewritten" in _verify(keyed)["reason"]


def test_a_forged_checkpoint_is_refused_and_checkpoints_export(keyed, tmp_path):
    _fill(keyed, 2)
    runner = keyed.test_cli_runner()
    out = tmp_path / "export.json"
    assert runner.invoke(args=["audit-checkpoint", "--export", str(out)]).exit_code == 0
    exported = json.loads(out.read_text())
    assert [cp["count"] for cp in exported] == [2] and exported[0]["kid"] == "a1"
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
    assert [e["kid"] for e in _all_entries(keyed)] == ["a1", "a1", "a2", "a2"]
    assert _verify(keyed)["ok"] is True
    keyed.config["AUDIT_KEYS"] = keyed.config["AUDIT_KEYS"].split(",")[0]   # a1 dropped too early
    assert _verify(keyed)["ok"] is False
