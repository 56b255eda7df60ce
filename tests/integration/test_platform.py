"""The platform: embedded CouchDB supervision, bootstrap, configuration checks, health, checklist templates."""
import os
import signal
import time

import pytest

from server.config import Config, ConfigError
from sync.bootstrap import INDEXES, _await_indexes, bootstrap
from sync.couch import Couch, shard_copies
from sync.embedded import EmbeddedCouch


@pytest.mark.skipif(bool(os.environ.get("COUCHDB_URL")), reason="the embedded server is only used without COUCHDB_URL")
def test_embedded_couch_is_restarted_after_a_crash_and_keeps_its_data(tmp_path):
    server = EmbeddedCouch(tmp_path).start()
    try:
        couch = Couch(server.url)
        couch.create_db("crash")
        couch.db("crash").put({"_id": "kept", "value": 1})
        os.kill(server.proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while server.restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.restarts == 1
        assert couch.db("crash").get("kept")["value"] == 1
    finally:
        server.stop()
    assert server.proc.poll() is not None


def test_bootstrap_is_idempotent_and_locks_databases(couch_url, db_prefix):
    couch = Couch(couch_url)
    first = bootstrap(couch, db_prefix)
    assert len(first["databases"]) == 5   # registry, records, audit, public, reports (举报, issue 15)
    again = bootstrap(couch, db_prefix)
    assert again == {"databases": [], "indexes": [], "design_docs": []}
    import httpx
    bare = couch.base + f"/{db_prefix}registry/_all_docs"
    assert httpx.get(bare, headers={"Accept": "application/json"}).status_code in (401, 403)
    for name in couch.all_dbs():
        if name.startswith(db_prefix):
            couch.delete_db(name)


def test_every_sorted_query_works_as_soon_as_bootstrap_returns(couch_url, db_prefix):
    """On a cluster a new index reaches the shard copies one by one: a sort read from a copy without it is
    refused (400 no_usable_index). Bootstrap returns only once the indexes are listed on consecutive reads."""
    couch = Couch(couch_url)
    try:
        bootstrap(couch, db_prefix)
        for name, indexes in INDEXES.items():
            db = couch.db(db_prefix + name)
            for fields, _ in indexes:
                for _ in range(3):
                    db.find({f: {"$gt": None} for f in fields}, limit=1, sort=[{f: "asc"} for f in fields])
    finally:
        for name in couch.all_dbs():
            if name.startswith(db_prefix):
                couch.delete_db(name)


def test_waiting_for_indexes_is_bounded_and_only_where_there_are_copies(couch_url, db_prefix):
    couch = Couch(couch_url)
    couch.create_db(db_prefix + "idx")
    db = couch.db(db_prefix + "idx")
    try:
        db.create_index(["type", "x"], "type-x", ddoc="idx")
        told = []
        assert _await_indexes(db, ["type-x"], told.append, limit_s=20)
        clustered = shard_copies(db.info()) > 1
        start = time.monotonic()
        # an index that is never made: a cluster waits out the bound and says why; one copy has nothing to wait for
        assert _await_indexes(db, ["type-x", "never-made"], told.append, limit_s=0.5) is not clustered
        assert (time.monotonic() - start >= 0.5) is clustered
        assert bool(told) is clustered and all("never-made" not in line for line in told)
    finally:
        couch.delete_db(db_prefix + "idx")


def test_audit_log_refuses_edits_even_from_admin(app):
    from server import audit
    from server.db import database
    from sync.couch import CouchError
    with app.app_context():
        entry = audit.append(database("audit"), "tester", "test.action", "subject:1", {"n": 1})
        entry["actor"] = "forger"
        with pytest.raises(CouchError) as err:
            database("audit").put(entry)
        assert err.value.status in (401, 403)
        assert audit.verify_chain(database("audit"))["ok"]


def test_config_check_names_what_is_missing():
    with pytest.raises(ConfigError) as err:
        Config({}).check()
    assert "SECRET_KEY" in str(err.value) and "COUCHDB_URL" in str(err.value)
    with pytest.raises(ConfigError):
        Config({"SECRET_KEY": "short", "COUCHDB_URL": "http://x", "QR_KEYS": "k", "QR_ACTIVE_KEY": "k"}).check()
    with pytest.raises(ConfigError):
        Config({"SESSION_HOURS": "twelve"})


def test_healthz_reports_an_unreachable_couchdb():
    from server import create_app
    from server.qr.signing import generate_key_spec
    app = create_app({"COUCHDB_URL": "http://admin:pw@127.0.0.1:9", "SECRET_KEY": "s" * 40,
                      "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1"})
    res = app.test_client().get("/healthz")
    assert res.status_code == 503 and res.get_json() == {"status": "degraded"}
    res = app.test_client().get("/api/v1/auth/me", headers={"Authorization": "Bearer fk_" + "x" * 40})
    assert res.status_code == 503 and res.get_json()["code"] == "couch_unavailable"


def test_checklist_templates_are_versioned(login):
    sup, inspector = login("supervisor", "370100"), login("inspector", "370102")
    listed = inspector.get("/api/v1/checklists").get_json()
    keys = {t["key"] for t in listed}
    assert {"industry_trade_major", "fire_major_gb35181", "hazardous_chemicals_major"} <= keys
    v1 = sup.get("/api/v1/checklists/fire_major_gb35181").get_json()
    assert v1["version"] == 1 and all(item["basis"] for item in v1["items"])
    body = {k: v for k, v in v1.items() if k not in ("_id", "_rev", "type", "version", "created_at", "created_by")}
    body["items"] = v1["items"][:3]
    assert inspector.post("/api/v1/checklists", json=body).status_code == 403
    # a built-in template: only a province's admins publish it (tests/integration/test_checklist_scope.py)
    assert sup.post("/api/v1/checklists", json=body).status_code == 403
    sup = login("admin", "370000")
    res = sup.post("/api/v1/checklists", json=body)
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["version"] == 2
    assert len(sup.get("/api/v1/checklists/fire_major_gb35181/v1").get_json()["items"]) == len(v1["items"])
    assert sup.get("/api/v1/checklists/fire_major_gb35181").get_json()["version"] == 2
    bad = {**body, "items": [{**body["items"][0], "basis": ""}]}
    assert sup.post("/api/v1/checklists", json=bad).status_code == 422
    assert sup.post("/api/v1/checklists", json={**body, "version": 9}).status_code == 422
    assert sup.post("/api/v1/checklists", json=[1, 2]).status_code == 422
    assert sup.get("/api/v1/checklists/nothing_here").status_code == 404
