"""Hostile documents pushed through the sync gateway, then the worker: each rejected with a reason."""
import base64
import hashlib
import uuid

from tests.integration.gateway_fixtures import field_user  # noqa: F401  (fixture)
from tests.integration.worker_fixtures import dispatched_task, inspection, phone_db, records, run_worker


def test_hostile_documents_through_the_gateway(app, client, field_user):
    alice, bob = field_user("alice"), field_user("bob")
    mine, theirs = dispatched_task(app, [alice.inspector_id]), dispatched_task(app, [bob.inspector_id])
    db = phone_db(app, alice.inspector_id)   # dispatch makes it; this test writes the task itself
    good = inspection(app, mine)
    not_a_photo = {"_id": f"photo:{uuid.uuid4()}", "type": "photo", "task": mine["_id"], "inspection": good["_id"],
                   "sha256": hashlib.sha256(b"<?php evil(); ?>").hexdigest(), "taken_at": good["started_at"],
                   "_attachments": {"photo.jpg": {"content_type": "image/jpeg",
                                                  "data": base64.b64encode(b"<?php evil(); ?>").decode()}}}
    docs = {"good": good, "no-type": {"_id": f"thing:{uuid.uuid4()}"},
            "unknown-field": {**inspection(app, mine), "admin": True},
            "script": inspection(app, mine, place="<img src=x onerror=alert(1)>" * 20),
            "other-task": inspection(app, theirs), "not-a-photo": not_a_photo,
            "server-id": {"_id": mine["_id"], "type": "task", "status": "done", "inspectors": [alice.inspector_id]}}
    res = client.post(f"/sync/{alice.db}/_bulk_docs", json={"docs": list(docs.values())}, headers=alice.auth)
    assert res.status_code == 201, res.get_data(as_text=True)
    run_worker(app)
    codes = {name: (db.get_or_none(f"rejection:{doc['_id']}") or {}).get("code") for name, doc in docs.items()}
    assert codes == {"good": None, "no-type": "field.unknown_type", "unknown-field": "field.invalid",
                     "script": "field.invalid", "other-task": "field.not_your_task",
                     "not-a-photo": "photo.not_image", "server-id": "field.server_id_collision"}, codes
    assert records(app).get(good["_id"])["source"]["db"] == alice.full_db
    rejection = client.get(f"/sync/{alice.db}/rejection:{docs['unknown-field']['_id']}", headers=alice.auth)
    assert rejection.status_code == 200 and rejection.get_json()["message"]["zh_CN"]
    assert client.get(f"/sync/{alice.db}/rejection:{docs['unknown-field']['_id']}", headers=bob.auth).status_code == 403


def test_phones_last_contact_is_shown_to_supervisors_in_scope(app, client, field_user, login):
    alice = field_user("alice2")
    phone_db(app, alice.inspector_id)
    assert client.post(f"/sync/{alice.db}/_bulk_docs", json={"docs": []}, headers=alice.auth).status_code == 201
    page = login("supervisor", "370100").get("/console/status").get_data(as_text=True)
    assert "alice2" in page and "最近上传" in page
    far = login("supervisor", "370200", "qd").get("/console/status").get_data(as_text=True)
    assert "alice2" not in far
