"""The worker against a real CouchDB: filing, evidence, hostile documents, conflicts, reviews, crashes."""
import os
import signal
import subprocess
import sys
import time
import uuid

from tests.integration.worker_fixtures import (dispatched_task, inspection, now, phone_db, records,
                                               run_worker)

A, B = "inspector:aaaaaaaaaaaa", "inspector:bbbbbbbbbbbb"


def rejection(db, doc_id):
    return db.get_or_none(f"rejection:{doc_id}")


def test_a_finished_inspection_is_filed_once_with_its_evidence(app):
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    doc = inspection(app, task)
    db.put(doc)
    assert run_worker(app) >= 1
    filed = records(app).get(doc["_id"])
    assert filed["source"]["rev"] == doc["_rev"] and filed["inspector"] == A
    verdict = filed["checkin_verdict"]
    assert verdict["overall"] == "ok" and verdict["qr"] == "ok" and verdict["geofence"] == "ok"
    assert filed["review_status"] == "pending"
    run_worker(app)
    assert records(app).get(doc["_id"])["_rev"] == filed["_rev"]      # running twice changes nothing


def test_doubtful_evidence_is_recorded_never_dropped(app):
    task = dispatched_task(app, [A], window=("2020-01-01", "2020-01-31"))
    other = dispatched_task(app, [A])
    db = phone_db(app, A)
    wrong_site = inspection(app, task, checkin={"qr": inspection(app, other)["checkin"]["qr"], "scanned_at": now(),
                                                "position": {"lat": 36.70, "lng": 117.10, "accuracy_m": 15,
                                                             "at": now()}, "override_reason": "二维码被遮挡"})
    forged = inspection(app, task)
    forged["checkin"]["qr"] = forged["checkin"]["qr"][:-2] + "xx"
    for doc in (wrong_site, forged):
        db.put(doc)
    run_worker(app)
    v1 = records(app).get(wrong_site["_id"])["checkin_verdict"]
    assert v1["site"] == "wrong_site" and v1["geofence"] == "outside" and v1["distance_m"] > 5000
    assert v1["time"] == "after_window" and v1["overall"] == "warning" and v1["override_reason"] == "二维码被遮挡"
    assert records(app).get(forged["_id"])["checkin_verdict"]["qr"] == "qr.bad_signature"


def test_hostile_documents_are_rejected_with_reasons_and_nothing_else_is_affected(app):
    mine, theirs = dispatched_task(app, [A]), dispatched_task(app, [B])
    db = phone_db(app, A)
    good = inspection(app, mine)
    hostile = {
        "no-type": {"_id": f"x:{uuid.uuid4()}", "hello": 1},
        "wrong-type": {"_id": f"inspection:{uuid.uuid4()}", "type": "enterprise"},
        "unknown-field": {**inspection(app, mine), "sneaky": True},
        # twice the worker's MAX_DOC_BYTES (1,000,000 characters), 6 MB: under CouchDB 3's max_document_size (8 MB),
        # which would refuse a larger one before the worker sees it
        "huge-text": inspection(app, mine, place="字" * 2_000_000),
        "script": inspection(app, mine, purpose="<script>alert(1)</script>" * 2, status="finished",
                             answers=[{"item": "x", "value": {"$gt": ""}}]),
        "other-task": inspection(app, theirs),
        "server-id": {"_id": mine["_id"], "type": "task", "status": "done"},
        "bad-id": {**inspection(app, mine), "_id": "inspection:../../etc"},
    }
    db.put(good)
    ids = {}
    for name, doc in hostile.items():
        if name == "server-id":
            continue
        res = db.put(dict(doc))
        ids[name] = doc["_id"] if "_id" in doc else res["id"]
    forged = {"_id": mine["_id"], "type": "task", "status": "done", "inspectors": [A]}
    db.put(forged)
    run_worker(app)
    codes = {name: (rejection(db, doc_id) or {}).get("code") for name, doc_id in ids.items()}
    assert codes == {"no-type": "field.unknown_type", "wrong-type": "field.unknown_type",
                     "unknown-field": "field.invalid", "huge-text": "field.too_large", "script": "field.invalid",
                     "other-task": "field.not_your_task", "bad-id": "field.invalid"}, codes
    assert rejection(db, mine["_id"])["code"] == "field.server_id_collision"
    assert rejection(db, ids["unknown-field"])["message"]["zh_CN"]
    assert records(app).get_or_none(good["_id"]) is not None
    for doc_id in ids.values():
        assert records(app).get_or_none(doc_id) is None


def test_fixing_a_rejected_document_clears_the_rejection(app):
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    doc = inspection(app, task, extra_field=1)
    db.put(doc)
    run_worker(app)
    assert rejection(db, doc["_id"])["code"] == "field.invalid"
    del doc["extra_field"]
    db.put(doc)
    run_worker(app)
    assert rejection(db, doc["_id"]) is None and records(app).get(doc["_id"])["source"]["rev"] == doc["_rev"]


def test_conflicting_revisions_keep_the_loser_visible(app):
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    base = inspection(app, task)
    one = {**base, "_rev": "1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "place": "东门"}
    two = {**base, "_rev": "1-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "place": "西门"}
    db.bulk_docs([one, two], new_edits=False)
    run_worker(app)
    filed = records(app).get(base["_id"])
    assert filed["place"] == "西门" and filed["conflicts"] == [one["_rev"]]   # highest rev wins, as CouchDB
    loser = records(app).get(f"conflict:{base['_id']}:{one['_rev']}")
    assert loser["body"]["place"] == "东门" and loser["winner_rev"] == two["_rev"]


def test_a_losing_revision_that_arrives_after_its_winner_was_filed_is_kept_too(app):
    """A second device of the same account syncs days later with its own edit of the record: CouchDB's
    rule makes it lose, and it must still be kept for supervisors (it used to be skipped as filed)."""
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    base = inspection(app, task)
    winner = {**base, "_rev": "1-ffffffffffffffffffffffffffffffff", "place": "西门"}
    db.bulk_docs([winner], new_edits=False)
    run_worker(app)
    assert "conflicts" not in records(app).get(base["_id"])
    late = {**base, "_rev": "1-11111111111111111111111111111111", "place": "东门（另一台设备）"}
    db.bulk_docs([late], new_edits=False)
    run_worker(app)
    filed = records(app).get(base["_id"])
    assert filed["place"] == "西门" and filed["source"]["rev"] == winner["_rev"] and filed["conflicts"] == [late["_rev"]]
    assert records(app).get(f"conflict:{base['_id']}:{late['_rev']}")["body"]["place"] == "东门（另一台设备）"
    run_worker(app)                                                   # running again changes nothing
    assert records(app).get(base["_id"])["_rev"] == filed["_rev"]


def test_reviews_reach_the_phone(app):
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    doc = inspection(app, task)
    db.put(doc)
    run_worker(app)
    records(app).put({"_id": f"review:{doc['_id']}:1", "type": "review", "inspection": doc["_id"],
                      "decision": "returned", "comments": "请补拍隐患照片", "at": now()})
    run_worker(app)
    delivered = db.get(f"review:{doc['_id']}")
    assert delivered["decision"] == "returned" and delivered["comments"] == "请补拍隐患照片" and delivered["seal"]
    run_worker(app)
    assert db.get(f"review:{doc['_id']}")["_rev"] == delivered["_rev"]
    assert rejection(db, f"review:{doc['_id']}") is None      # sealed by the server: not a collision


def test_worker_killed_mid_batch_files_every_document_exactly_once(app, couch_url, db_prefix):
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    docs = [inspection(app, task) for _ in range(600)]
    for start in range(0, 600, 100):
        db.bulk_docs(docs[start:start + 100])
    env = {**os.environ, "COUCHDB_URL": couch_url, "DB_PREFIX": db_prefix, "SECRET_KEY": app.config["SECRET_KEY"],
           "QR_KEYS": app.config["QR_KEYS"], "QR_ACTIVE_KEY": "k1", "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"]}

    def filed():
        return len(records(app).find({"type": "inspection", "inspector": A}, limit=10_000))

    worker = subprocess.Popen([sys.executable, "-m", "sync.worker"], env=env)
    deadline = time.monotonic() + 60
    while filed() < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert 0 < filed() < 600, "the kill must land in the middle of the work"
    worker = subprocess.Popen([sys.executable, "-m", "sync.worker"], env=env)
    try:
        deadline = time.monotonic() + 120
        while filed() < 600 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(10)
    rows = records(app).find({"type": "inspection", "inspector": A}, limit=10_000)
    assert sorted(r["_id"] for r in rows) == sorted(d["_id"] for d in docs)
    assert all(r["_rev"].startswith("1-") for r in rows), "a document was filed twice"


def test_healthz_shows_the_worker(app, login):
    run_worker(app)
    worker = login("admin").get("/healthz").get_json()["worker"]   # details for admins only
    assert worker["seen"] is True and worker["backlog"] == 0 and worker["last_error"] is None


def jpeg(width=800, height=600, color=(200, 30, 30)) -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def photo_doc(task, inspection_id, data: bytes, sha: str | None = None) -> dict:
    import base64
    import hashlib
    return {"_id": f"photo:{uuid.uuid4()}", "type": "photo", "task": task["_id"], "inspection": inspection_id,
            "sha256": sha or hashlib.sha256(data).hexdigest(), "taken_at": now(),
            "position": {"lat": 36.66, "lng": 117.05, "accuracy_m": 8, "at": now()},
            "_attachments": {"photo.jpg": {"content_type": "image/jpeg", "data": base64.b64encode(data).decode()}}}


def test_photos_are_verified_processed_and_kept_byte_identical(app):
    import hashlib
    import io
    import struct

    from PIL import Image
    task = dispatched_task(app, [A])
    db = phone_db(app, A)
    parent = inspection(app, task)
    db.put(parent)
    original = jpeg()
    good = photo_doc(task, parent["_id"], original)
    bomb = bytearray(jpeg(64, 64))
    sof = bomb.index(b"\xff\xc0")
    bomb[sof + 5:sof + 9] = struct.pack(">HH", 30000, 30000)
    cases = {"good": good,
             "not-image": photo_doc(task, parent["_id"], b"%PDF-1.4 not a photo" * 100),
             "bomb": photo_doc(task, parent["_id"], bytes(bomb)),
             "truncated": photo_doc(task, parent["_id"], original[: len(original) // 2]),
             "wrong-hash": photo_doc(task, parent["_id"], original, sha="0" * 64)}
    for doc in cases.values():
        db.put(doc)
    run_worker(app)
    stored = records(app).get_attachment(good["_id"], "original.jpg")
    assert hashlib.sha256(stored).hexdigest() == good["sha256"] and stored == original
    thumb = Image.open(io.BytesIO(records(app).get_attachment(good["_id"], "thumbnail.jpg")))
    assert max(thumb.size) <= 320
    assert records(app).get(good["_id"])["photo_status"] == "verified"
    codes = {name: (rejection(db, doc["_id"]) or {}).get("code") for name, doc in cases.items() if name != "good"}
    assert codes == {"not-image": "photo.not_image", "bomb": "photo.too_many_pixels",
                     "truncated": "photo.truncated", "wrong-hash": "photo.hash_mismatch"}, codes


def test_console_status_page_shows_the_worker(app, login):
    sup = login("supervisor", "370100")
    assert "尚未运行" in sup.get("/console/status").get_data(as_text=True)
    task = dispatched_task(app, [A])
    phone_db(app, A).put(inspection(app, task))
    run_worker(app)
    page = sup.get("/console/status").get_data(as_text=True)
    assert "待处理变更" in page and "尚未运行" not in page
    assert login("inspector", "370102").get("/console/status").status_code == 403
