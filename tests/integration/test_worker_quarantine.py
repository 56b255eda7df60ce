"""Poison documents (issue 16): whatever one phone document does to the worker, it is set aside with a reason
the phone shows, the checkpoint moves past it, and the next valid document is filed."""
import json
import os
import subprocess
import sys
import time
import uuid

from server.db import couch, database, registry
from sync.couch import seq_number
from sync.worker.checkpoints import filed_up_to
from sync.worker.feed import STATUS_ID
from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db, records, run_worker

A = "inspector:abcabcabcabc"


def put_raw(app, db, doc_id: str, text: str, engine_may_refuse: bool = False) -> bool:
    """A document written as raw JSON text straight into the phone database (what no gateway would pass);
    False if the engine itself refused to store it (then it can never reach the worker)."""
    with app.app_context():
        res = couch().request("PUT", f"{db.path}/{doc_id}", content=text.encode(),
                              headers={"Content-Type": "application/json"})
    if engine_may_refuse and res.status_code in (400, 500):
        return False
    assert res.status_code in (201, 202), res.text
    return True


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def poison(app, db, task: dict) -> dict[str, str]:
    """Each poison shape, written to the phone database; id → the rejection code it must get."""
    shapes = {
        f"hazard:{uuid.uuid4()}": ('{"type": "hazard", "inspection": "inspection:x", "grade": '
                                   + deep(1200) + "}", "field.unreadable"),          # RecursionError in json
        f"hazard:{uuid.uuid4()}": ('{"type": "hazard", "grade": ' + deep(100) + "}", "field.too_deep"),
        # an integer of 5,000 digits: Python refuses to parse it (Apache CouchDB keeps it as it is;
        # pouchdb-server stores it as null, which the schema then refuses)
        f"inspection:{uuid.uuid4()}": ('{"type": "inspection", "answers": ' + "9" * 5000 + "}",
                                       "field.unreadable field.invalid"),
        f"inspection:{uuid.uuid4()}": (json.dumps({"type": "inspection", "task": 7, "answers": "x", "status": []}),
                                       "field.invalid"),                              # wrong types
        f"hazard:{uuid.uuid4()}": (json.dumps({"type": "hazard", "note": "长" * 1_100_000}), "field.too_large"),
    }
    # Apache CouchDB 3.4.3 answers 500 (badarith) to the 5,000-digit integer: that shape never reaches a phone
    # database there, so it is left out of what the worker must set aside.
    stored = {doc_id for doc_id, (text, code) in shapes.items()
              if put_raw(app, db, doc_id, text, engine_may_refuse="field.unreadable field.invalid" == code)}
    return {doc_id: code for doc_id, (_, code) in shapes.items() if doc_id in stored}


def broken_step(app, db) -> str:
    """A valid phone record whose filing raises inside a step: its task in the registry lost its window."""
    task = dispatched_task(app, [A])
    with app.app_context():
        stored = registry().get(task["_id"])
        del stored["window"]
        registry().put(stored)
    doc = inspection(app, task)
    db.put(doc)
    return doc["_id"]


def test_each_poison_shape_is_set_aside_and_the_next_valid_document_is_filed(app):
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    first = inspection(app, task)
    db.put(first)
    codes = poison(app, db, task)
    codes[broken_step(app, db)] = "field.unprocessable"
    after = inspection(app, task)
    db.put(after)
    run_worker(app)
    for doc_id in (first["_id"], after["_id"]):
        assert records(app).get(doc_id)["source"]["db"] == db.name
    for doc_id, code in codes.items():
        rejection = db.get(f"rejection:{doc_id}")
        assert rejection["code"] in code.split(), (doc_id, rejection["code"])
        assert rejection["message"]["zh_CN"] and rejection["seal"]
        assert records(app).get_or_none(doc_id) is None
    with app.app_context():
        checkpoint = database("records").get(f"_local/worker-{db.name}")
        status = database("records").get(STATUS_ID)
    assert filed_up_to(checkpoint) == seq_number(db.info()["update_seq"])   # past everything, poison included
    assert status["quarantined"] >= 2 and "set aside" in status["last_error"]
    filed_rev = records(app).get(after["_id"])["_rev"]
    run_worker(app)                                     # nothing left to do, nothing done twice
    assert records(app).get(after["_id"])["_rev"] == filed_rev


def test_a_running_worker_survives_a_poison_document_and_files_what_follows(app, couch_url, db_prefix):
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    env = {**os.environ, "COUCHDB_URL": couch_url, "DB_PREFIX": db_prefix, "SECRET_KEY": app.config["SECRET_KEY"],
           "QR_KEYS": app.config["QR_KEYS"], "QR_ACTIVE_KEY": "k1", "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
           "WORKER_POLL_S": "1", "WORKER_NOTIFY_SOCKET": ""}
    worker = subprocess.Popen([sys.executable, "-m", "sync.worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        put_raw(app, db, f"hazard:{uuid.uuid4()}", '{"type": "hazard", "x": ' + deep(1200) + "}")
        valid = inspection(app, task)
        db.put(valid)
        deadline = time.monotonic() + 30
        while records(app).get_or_none(valid["_id"]) is None and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker died on the poison document"
            time.sleep(0.2)
        assert records(app).get_or_none(valid["_id"]) is not None
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(10)
