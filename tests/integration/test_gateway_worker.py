"""Hostile documents pushed through the sync gateway, then the worker: each rejected with a reason."""
import base64
import json
from datetime import date
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


def test_the_holiday_calendars_end_is_shown_and_warned_of(app, client, login, tmp_path, monkeypatch):
    """/healthz (to admins) says how far deadlines can be counted; the status page warns when the calendar is
    about to run out and says where an admin enters next year's notice, and says so when the operator's file is broken."""
    from server.hazards.service import today
    client = login("admin")                                              # /healthz details: admins only
    known = client.get("/healthz").get_json()["calendar"]
    assert set(known) == {"known_until", "days_left", "warning"}          # no server path in /healthz
    assert known["days_left"] == (date.fromisoformat(known["known_until"]) - today()).days
    years = {str(y): {"holidays": []} for y in range(date.fromisoformat(known["known_until"]).year + 1, today().year + 3)}
    far_file = tmp_path / "extra.json"
    far_file.write_text(json.dumps(years))
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(far_file))
    extended = client.get("/healthz").get_json()["calendar"]
    assert extended["known_until"] == f"{today().year + 2}-12-31" and extended["warning"] is False
    supervisor = login("supervisor", "370100")
    assert "ui.status" not in (page := supervisor.get("/console/status").get_data(as_text=True))
    assert f"{today().year + 2}-12-31" in page and "国务院办公厅" not in page
    near_file = tmp_path / "near.json"                                  # known only to the end of this year
    near_file.write_text(json.dumps({str(y): v for y, v in years.items() if int(y) <= today().year}))
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(near_file))
    assert client.get("/healthz").get_json()["calendar"]["warning"] is (
        (date(today().year, 12, 31) - today()).days < app.config["CALENDAR_WARN_DAYS"])
    monkeypatch.setitem(app.config, "CALENDAR_WARN_DAYS", 400)
    page = supervisor.get("/console/status").get_data(as_text=True)
    # The warning says where in the console an admin enters the notice (calendar's 节假日安排), never a server path.
    assert "国务院办公厅" in page and f"{today().year + 1} 年" in page and "节假日安排" in page
    assert str(near_file) not in page and "near.json" not in page
    far_file.write_text("{not json")
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(far_file))
    # A broken file counts as absent (deadlines past the official years are provisional, not refused); the
    # status page says what is wrong with it.
    broken = client.get("/healthz").get_json()["calendar"]
    assert broken["known_until"] == known["known_until"] and broken["warning"] is True
    assert "节假日日历文件有误" in supervisor.get("/console/status").get_data(as_text=True)
