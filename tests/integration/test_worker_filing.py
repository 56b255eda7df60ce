"""The worker's filing for review: denormalised fields, signatures, hazard cases, final records, idempotency."""
import base64

from tests.integration.review_fixtures import TEAM, hazard, png, signed, submit, world
from tests.integration.worker_fixtures import file_until, inspection, phone_db, records, run_worker


def rejection(db, doc_id):
    return db.get_or_none(f"rejection:{doc_id}")


def test_filed_records_carry_what_the_views_filter_on(app):
    w = world(app)
    filed = submit(app, w)
    rec = records(app).get(filed["inspection"]["_id"])
    assert rec["task_kind"] == "random" and rec["region"] == "370102" and rec["enterprise"] == w["uscc"]
    assert rec["enterprise_name"] == w["name"] and rec["sector"] == "machinery" and rec["team"] == TEAM
    assert rec["site"] == f"site:{w['uscc']}:01" and rec["site_position"] == {"lat": 36.66, "lng": 117.05}
    assert rec["submitted_at"] and rec["review_status"] == "pending" and rec["plan"] == w["plan"]
    assert rec["hazards"] == {"general": 1, "major": 1}
    for h in filed["hazards"]:
        hz = records(app).get(h["_id"])
        assert hz["region"] == "370102" and hz["sector"] == "machinery" and hz["task_kind"] == "random"
        assert hz["submitted_at"]
        photo = records(app).get(h["photos"][0])
        assert photo["region"] == "370102" and photo["photo_status"] == "verified"


def test_signatures_are_copied_byte_for_byte(app):
    w = world(app)
    filed = submit(app, w)
    doc_id = filed["inspection"]["_id"]
    sent = base64.b64decode(filed["inspection"]["_attachments"]["signature-inspector.png"]["data"])
    stored = records(app).get_attachment(doc_id, "signature-inspector.png")
    assert stored == sent and stored.startswith(b"\x89PNG")


def test_each_filed_hazard_opens_its_case_which_follows_the_phone_while_found(app):
    w = world(app)
    filed = submit(app, w)
    general, major = filed["hazards"]
    case = records(app).get("case:" + general["_id"][7:])
    assert case["type"] == "hazard_case" and case["state"] == "found" and case["grade"] == "general"
    assert case["inspection"] == filed["inspection"]["_id"] and case["region"] == "370102"
    assert case["found_by"] == TEAM[0] and case["history"][0]["action"] == "found"
    assert case["enterprise_name"] == w["name"] and case["sector"] == "machinery"
    db = filed["db"]
    phone = db.get(general["_id"])
    phone["description"] = "一般隐患：安全出口被杂物堵塞（已核实）"
    db.put(phone)
    run_worker(app)
    assert records(app).get(case["_id"])["description"] == phone["description"]
    moved = records(app).get(case["_id"])
    moved["state"] = "ordered"     # the supervisors' from now on
    records(app).put(moved)
    phone["description"] = "手机上后来的修改"
    db.put(phone)
    run_worker(app)
    assert records(app).get(case["_id"])["description"] != "手机上后来的修改"


def test_running_the_worker_again_changes_nothing(app):
    w = world(app)
    filed = submit(app, w)
    ids = [filed["inspection"]["_id"]] + [h["_id"] for h in filed["hazards"]]
    ids += ["case:" + h["_id"][7:] for h in filed["hazards"]]
    before = {i: records(app).get(i)["_rev"] for i in ids}
    assert run_worker(app) == 0
    assert {i: records(app).get(i)["_rev"] for i in ids} == before


def test_an_approved_or_rejected_record_is_final_and_the_phone_is_told(app):
    w = world(app)
    filed = submit(app, w)
    rec = records(app).get(filed["inspection"]["_id"])
    rec["review_status"] = "approved"
    records(app).put(rec)
    db = filed["db"]
    phone = db.get(filed["inspection"]["_id"])
    phone["place"] = "审核通过后想改的内容"
    db.put(phone)
    late = hazard(w["task"], filed["inspection"]["_id"], "general", "审核通过后才补的隐患")
    db.put(late)
    run_worker(app)
    assert rejection(db, phone["_id"])["code"] == "field.record_approved"
    assert rejection(db, late["_id"])["code"] == "field.record_approved"
    assert records(app).get(phone["_id"]).get("place") != "审核通过后想改的内容"
    assert records(app).get_or_none(late["_id"]) is None and records(app).get_or_none("case:" + late["_id"][7:]) is None
    rec = records(app).get(filed["inspection"]["_id"])
    rec["review_status"] = "rejected"
    records(app).put(rec)
    phone["place"] = "驳回后又改"
    db.put(phone)
    run_worker(app)
    assert rejection(db, phone["_id"])["code"] == "field.record_rejected"


def test_a_returned_record_goes_back_to_pending_and_keeps_its_history(app):
    w = world(app)
    filed = submit(app, w, grades=())
    rec = records(app).get(filed["inspection"]["_id"])
    first = rec["submitted_at"]
    rec.update(review_status="returned", review={"n": 1, "decision": "returned", "comments": "补充照片"})
    records(app).put(rec)
    db = filed["db"]
    phone = db.get(rec["_id"])
    db.put({**phone, "status": "draft"})
    run_worker(app)
    assert records(app).get(rec["_id"])["review_status"] == "returned"     # still being corrected
    phone = db.get(rec["_id"])
    db.put({**phone, "status": "finished", "place": "补充了照片"})
    run_worker(app)
    again = records(app).get(rec["_id"])
    assert again["review_status"] == "pending" and again["review"]["n"] == 1 and again["submitted_at"] == first
    assert again["place"] == "补充了照片"


def test_hostile_signatures_are_refused_with_their_reason(app):
    w = world(app)
    db = phone_db(app, TEAM[0])
    cases = {
        "not-png": signed(inspection(app, w["task"]), b"GIF89a" + b"\0" * 100),
        "fake-png": signed(inspection(app, w["task"]), b"\x89PNG\r\n\x1a\n" + b"garbage" * 20),
        "too-large": signed(inspection(app, w["task"]), png(300, 300, noise=True)),
        "missing": {**signed(inspection(app, w["task"])), "_attachments": {}},
        "unexpected": signed(inspection(app, w["task"])),
    }
    cases["unexpected"]["_attachments"]["evil.html"] = {"content_type": "text/html",
                                                        "data": base64.b64encode(b"<script>1</script>").decode()}
    for doc in cases.values():
        db.put(doc)
    app.config["SIGNATURE_MAX_KB"] = 16
    try:
        run_worker(app)
    finally:
        app.config["SIGNATURE_MAX_KB"] = 512
    codes = {name: (rejection(db, doc["_id"]) or {}).get("code") for name, doc in cases.items()}
    assert codes == {"not-png": "field.signature_not_png", "fake-png": "field.signature_not_png",
                     "too-large": "field.signature_too_large", "missing": "field.signature_missing",
                     "unexpected": "field.attachment_unexpected"}, codes
    assert all(records(app).get_or_none(doc["_id"]) is None for doc in cases.values())


def test_a_hazard_filed_after_its_inspection_updates_the_counts(app):
    w = world(app)
    filed = submit(app, w, grades=("general",))
    assert records(app).get(filed["inspection"]["_id"])["hazards"] == {"general": 1, "major": 0}
    late = hazard(w["task"], filed["inspection"]["_id"], "major", "后来补录的重大隐患")
    filed["db"].put(late)
    counted = file_until(app, lambda: records(app).get(filed["inspection"]["_id"])["hazards"],
                         lambda hazards: hazards["major"] == 1)
    assert counted == {"general": 1, "major": 1}
    assert records(app).get("case:" + late["_id"][7:])["grade"] == "major"
