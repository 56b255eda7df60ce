"""The hazard loop's API on a real CouchDB: orders, five in place, rectification with photos, re-inspection
tasks through a phone and the worker, close-out, escalation, the register and its export."""
import csv
import io
import time
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from server import audit
from server.calendar.workdays import add_days
from server.db import database, registry
from server.hazards.escalation import escalate_overdue
from server.hazards.service import today
from tests.integration.review_fixtures import TEAM, jpeg, submit, world
from tests.integration.worker_fixtures import inspection, phone_db, records, run_worker

H = "/api/v1/hazards"
FIVE = {"measures": "更换防爆电气设备并加装可燃气体报警", "responsible": "张三（设备部经理）", "funds": "8万元，企业自筹",
        # a month ahead, whatever the day the tests run: a 五到位 deadline in the past is refused
        "deadline": (today() + timedelta(days=30)).isoformat(), "contingency": "停用二号车间，设置警戒区"}


@pytest.fixture
def loop_world(app, login):
    """An approved inspection of 370102 with a general and a major hazard, and a supervisor of 济南市."""
    w = world(app)
    filed = submit(app, w)
    sup = login("supervisor", "370100")
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    general, major = (h["_id"].split(":", 1)[1] for h in filed["hazards"])
    return {"sup": sup, "world": w, "filed": filed, "general": general, "major": major}


def order(sup, lw, *items):
    return sup.post("/api/v1/orders", json={"inspection": lw["filed"]["key"],
                                            "items": [{"case": c, "days": d} for c, d in items]})


def test_orders_need_an_approved_record_and_the_five_in_place_for_major_hazards(app, login):
    w = world(app)
    filed = submit(app, w)
    sup = login("supervisor", "370100")
    general, major = (h["_id"].split(":", 1)[1] for h in filed["hazards"])
    lw = {"filed": filed}
    assert order(sup, lw, (general, 5)).status_code == 409                    # record not approved yet
    sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"})
    res = order(sup, lw, (general, 5), (major, 10))
    assert res.status_code == 422 and "整改措施" in res.get_json()["message"]
    assert sup.get(f"{H}/{major}").get_json()["state"] == "found"            # nothing moved, no number taken
    assert sup.post(f"{H}/{major}/five_in_place", json=FIVE).status_code == 200
    res = order(sup, lw, (general, 5), (major, 10))
    assert res.status_code == 201, res.get_json()
    issued = res.get_json()
    assert issued["number"] == "(济南)应急责改〔2026〕1号"
    deadlines = {i["case"][5:]: i["deadline"] for i in issued["items"]}
    assert deadlines[general] == add_days(today(), 5, "working").isoformat()
    assert deadlines[major] == add_days(today(), 10, "working").isoformat()
    case = sup.get(f"{H}/{major}").get_json()
    assert case["state"] == "ordered" and case["supervised"] is True and case["order"] == issued["id"]
    assert sup.get(f"/api/v1/orders/{issued['id'][6:]}").get_json()["number"] == issued["number"]
    assert login("supervisor", "370200").get(f"/api/v1/orders/{issued['id'][6:]}").status_code == 404
    with app.app_context():
        actions = [e["action"] for e in audit.entries_for(database("audit"), f"case:{major}")]
    assert actions == ["hazard.five_in_place", "hazard.order"]


@pytest.mark.parametrize("body", [
    {"inspection": "x", "items": [{"case": "y", "days": 5}]},
    {"items": []},
    {"inspection": "00000000-0000-4000-8000-000000000000", "items": [{"case": "00000000-0000-4000-8000-000000000000",
                                                                       "days": 5}]},
])
def test_bad_orders_are_refused(loop_world, body):
    res = loop_world["sup"].post("/api/v1/orders", json=body)
    assert res.status_code in (404, 422), res.get_json()


def test_order_items_are_checked_one_by_one(loop_world):
    sup, g = loop_world["sup"], loop_world["general"]
    assert order(sup, loop_world, (g, 0)).status_code == 422
    assert order(sup, loop_world, (g, 5), (g, 6)).status_code == 422
    assert order(sup, loop_world, ("00000000-0000-4000-8000-000000000000", 5)).status_code == 422
    assert sup.post("/api/v1/orders", json={"inspection": loop_world["filed"]["key"],
                                            "items": [{"case": g, "days": 5, "extra": 1}]}).status_code == 422


def test_the_whole_loop_of_a_major_hazard_through_a_reinspection_task(app, loop_world):
    sup, major = loop_world["sup"], loop_world["major"]
    sup.post(f"{H}/{major}/five_in_place", json=FIVE)
    assert order(sup, loop_world, (major, 10)).status_code == 201
    up = sup.post(f"{H}/{major}/photos", data={"photo": (io.BytesIO(jpeg((20, 120, 20))), "after.jpg")})
    assert up.status_code == 201, up.get_json()
    photo_id = up.get_json()["id"]
    bad = sup.post(f"{H}/{major}/photos", data={"photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "x.jpg")})
    assert bad.status_code == 422
    res = sup.post(f"{H}/{major}/rectify", json={"text": "已更换防爆电气设备，报警器已安装", "photos": [photo_id]})
    assert res.status_code == 200 and res.get_json()["state"] == "rectified"
    assert sup.get(f"/console/photos/{photo_id.split(':', 1)[1]}/thumbnail").status_code == 200
    assert sup.post(f"{H}/{major}/close", json={}).status_code == 409        # major: re-inspection first
    res = sup.post(f"{H}/{major}/reinspection", json={"cases": [major], "inspectors": TEAM})
    assert res.status_code == 201, res.get_json()
    task = res.get_json()
    assert sup.post(f"{H}/{major}/reinspection", json={"cases": [major], "inspectors": TEAM}).status_code == 409
    with app.app_context():
        stored = registry().get(task["id"])
        plan = registry().get(stored["plan"])
    assert stored["kind"] == "reinspection" and stored["counts_toward_cap"] is False and stored["random"] is False
    assert plan["kind"] == "reinspection" and stored["hazards"][0]["case"] == f"case:{major}"
    on_phone = phone_db(app, TEAM[1]).get(task["id"])
    assert on_phone["kind"] == "reinspection" and on_phone["hazards"][0]["hazard"] == f"hazard:{major}"
    answer = inspection(app, stored, checklist="checklist:reinspection:v1",
                        answers=[{"item": f"hazard:{major}", "value": "pass", "note": "已整改到位"}])
    phone_db(app, TEAM[1]).put(answer)
    run_worker(app)
    key = answer["_id"].split(":", 1)[1]
    res = sup.post(f"/api/v1/inspections/{key}/review", json={"decision": "approved"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["opinion_number"] == "(济南)应急复查〔2026〕1号" and "number" not in res.get_json()
    case = sup.get(f"{H}/{major}").get_json()
    assert case["state"] == "reinspected" and case["reinspections"][0]["result"] == "pass"
    assert case["reinspections"][0]["opinion_number"] == "(济南)应急复查〔2026〕1号"
    res = sup.post(f"{H}/{major}/close", json={"note": "复查合格，予以销号"})
    assert res.status_code == 200 and res.get_json()["state"] == "closed"
    with app.app_context():
        assert registry().get(task["id"])["status"] == "done"
        assert audit.verify_chain(database("audit"))["ok"]


def test_a_failed_reinspection_is_ordered_again_with_a_new_number(app, loop_world):
    sup, g = loop_world["sup"], loop_world["general"]
    order(sup, loop_world, (g, 5))
    sup.post(f"{H}/{g}/rectify", json={"text": "已清理安全出口"})
    task = sup.post(f"{H}/{g}/reinspection", json={"cases": [g], "inspectors": TEAM}).get_json()
    with app.app_context():
        stored = registry().get(task["id"])
    incomplete = inspection(app, stored, checklist="checklist:reinspection:v1", answers=[])
    phone_db(app, TEAM[0]).put(incomplete)
    run_worker(app)
    res = sup.post(f"/api/v1/inspections/{incomplete['_id'][11:]}/review", json={"decision": "approved"})
    assert res.status_code == 422                                    # no pass or fail given for the hazard
    failed = inspection(app, stored, checklist="checklist:reinspection:v1",
                        answers=[{"item": f"hazard:{g}", "value": "fail", "note": "仍有杂物"}])
    phone_db(app, TEAM[0]).put(failed)
    run_worker(app)
    assert sup.post(f"/api/v1/inspections/{failed['_id'][11:]}/review", json={"decision": "approved"}).status_code == 200
    assert sup.post(f"{H}/{g}/close", json={}).status_code == 409
    res = sup.post(f"{H}/{g}/order", json={"days": 3})
    assert res.status_code == 201 and res.get_json()["number"] == "(济南)应急责改〔2026〕2号"
    assert sup.get(f"{H}/{g}").get_json()["state"] == "ordered"


def test_a_general_hazard_closes_on_its_evidence(loop_world):
    sup, g = loop_world["sup"], loop_world["general"]
    assert sup.post(f"{H}/{g}/rectify", json={"text": "已清理杂物"}).status_code == 409     # not ordered yet
    order(sup, loop_world, (g, 5))
    assert sup.post(f"{H}/{g}/rectify", json={"text": "已清理安全出口杂物"}).status_code == 200
    assert sup.post(f"{H}/{g}/close", json={"note": "现场核实"}).get_json()["state"] == "closed"


def test_overdue_hazards_escalate_once_to_the_level_above(app, loop_world, login):
    sup, g = loop_world["sup"], loop_world["general"]
    order(sup, loop_world, (g, 5))
    with app.app_context():
        case = records(app).get(f"case:{g}")
        case["deadline"] = "2026-11-20"
        records(app).put(case)
        assert escalate_overdue(records(app), database("audit"), date(2026, 11, 20)) == []    # due today: in time
        assert escalate_overdue(records(app), database("audit"), date(2026, 11, 21)) == [f"case:{g}"]
        assert escalate_overdue(records(app), database("audit"), date(2026, 11, 22)) == []
    case = sup.get(f"{H}/{g}").get_json()
    assert case["escalated_to"] == "370100" and case["overdue"] is True and case["history"][-1]["action"] == "escalate"
    listed = [i["id"] for i in sup.get(f"{H}?escalated_to=370100").get_json()["items"]]
    assert listed == [g]
    assert [i["id"] for i in sup.get(f"{H}?overdue=true").get_json()["items"]] == [g]
    assert login("supervisor", "370102").get(f"{H}?escalated_to=370100").get_json()["items"] == []
    runner = app.test_cli_runner()
    out = runner.invoke(args=["escalate-overdue", "--today", "2026-11-25"])
    assert out.exit_code == 0 and '"escalated": []' in out.output


def test_the_register_filters_pages_and_scopes(app, loop_world, login):
    sup = loop_world["sup"]
    other = world(app, region="370202", name="青岛某化工有限公司")
    submit(app, other)
    ids = lambda q: {i["id"] for i in sup.get(f"{H}?{q}").get_json()["items"]}  # noqa: E731
    both = {loop_world["general"], loop_world["major"]}
    assert ids("") == both and ids("state=found") == both
    assert ids("grade=major") == {loop_world["major"]} and ids("grade=general") == {loop_world["general"]}
    assert ids("supervised=true") == set() and ids("sector=machinery") == both and ids("sector=coal_mine") == set()
    assert ids("region=370102") == both and ids("region=370202") == set()
    assert ids("from=2020-01-01&to=2020-01-31") == set()
    first = sup.get(f"{H}?limit=1").get_json()
    second = sup.get(f"{H}?limit=1&cursor={first['next']}").get_json()
    assert {first["items"][0]["id"], second["items"][0]["id"]} == both and second["next"] is None
    assert login("supervisor", "370200").get(H).get_json()["items"] != []
    assert not {i["id"] for i in login("supervisor", "370200").get(H).get_json()["items"]} & both
    assert login("supervisor", "370200").get(f"{H}/{loop_world['major']}").status_code == 404
    for bad in ("state=nope", "overdue=maybe", "escalated_to=37", "limit=500", "grade=<b>", "x=1"):
        assert sup.get(f"{H}?{bad}").status_code == 422, bad


def test_the_register_exports_csv_and_xlsx_with_formulas_neutralised(app, loop_world, login):
    sup, g = loop_world["sup"], loop_world["general"]
    with app.app_context():
        case = records(app).get(f"case:{g}")
        case["description"] = '=HYPERLINK("http://evil.example","点我")'
        records(app).put(case)
    deadline = time.monotonic() + 10        # a CouchDB cluster's view reads one copy, which can lag a moment
    while True:
        res = sup.get(f"{H}/export?format=csv")
        assert res.status_code == 200 and "attachment" in res.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(res.get_data().decode("utf-8-sig"))))
        if "http://evil.example" in res.get_data().decode("utf-8-sig") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert rows[0][:5] == ["企业名称", "统一社会信用代码", "行政区划", "行业", "隐患描述"] and len(rows) == 3
    described = {r[4] for r in rows[1:]}
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in described
    assert {r[6] for r in rows[1:]} == {"一般事故隐患", "重大事故隐患"}
    book = load_workbook(io.BytesIO(sup.get(f"{H}/export?format=xlsx&grade=general&lang=en").get_data()))
    sheet = book.active
    assert sheet.title == "Hazard register" and sheet["E1"].value == "Description"
    assert sheet["E2"].value.startswith("'=") and sheet.max_row == 2
    assert sup.get(f"{H}/export?format=pdf").status_code == 422
    assert login("supervisor", "370200").get(f"{H}/export?format=csv").get_data().decode("utf-8-sig").count("\n") == 1
    deadline = time.monotonic() + 10
    with app.app_context():
        while not any(e["action"] == "hazard.export" for e in audit.entries_for(database("audit"), "hazards")):
            assert time.monotonic() < deadline, "no hazard.export entry"
            time.sleep(0.3)


@pytest.mark.parametrize("role", ["inspector", "expert"])
def test_field_staff_and_anonymous_cannot_touch_the_loop(app, client, login, loop_world, role):
    g = loop_world["general"]
    session = login(role, "370102")
    calls = [("get", H, None), ("get", f"{H}/{g}", None), ("get", f"{H}/export?format=csv", None),
             ("post", f"{H}/{g}/five_in_place", FIVE), ("post", f"{H}/{g}/close", {}),
             ("post", f"{H}/{g}/rectify", {"text": "已整改完毕"}), ("post", f"{H}/{g}/order", {"days": 5}),
             ("post", f"{H}/{g}/reinspection", {"cases": [g], "inspectors": TEAM}),
             ("post", "/api/v1/orders", {"inspection": loop_world["filed"]["key"], "items": [{"case": g, "days": 5}]})]
    for method, path, body in calls:
        assert getattr(session, method)(path, json=body).status_code == 403, path
        assert getattr(client, method)(path, json=body).status_code in (401, 403), path


def test_writes_out_of_scope_answer_like_unknown_cases(login, loop_world):
    """Issue 14: out-of-scope objects answered 403 where unknown ones answered 404; now one answer."""
    g = loop_world["general"]
    outsider = login("supervisor", "370200")
    for action, body in (("five_in_place", FIVE), ("close", {}), ("rectify", {"text": "已整改完毕"}),
                         ("order", {"days": 5}), ("reinspection", {"cases": [g], "inspectors": TEAM})):
        assert outsider.post(f"{H}/{g}/{action}", json=body).status_code == 404, action
        assert loop_world["sup"].post(f"{H}/00000000-0000-4000-8000-000000000000/{action}", json=body).status_code == 404
    assert outsider.post(f"{H}/{g}/photos", data={"photo": (io.BytesIO(jpeg()), "a.jpg")}).status_code == 404
    assert loop_world["sup"].get(f"{H}/not-a-uuid").status_code == 404


@pytest.mark.parametrize("action,body", [
    ("five_in_place", {**FIVE, "measures": "字" * 2001}),
    ("five_in_place", {**FIVE, "deadline": "tomorrow"}),
    ("five_in_place", {**FIVE, "sneaky": 1}),
    ("rectify", {"text": "ok"}),
    ("rectify", {"text": "已整改完毕", "photos": ["photo:../../x"]}),
    ("reinspection", {"cases": [], "inspectors": TEAM}),
    ("reinspection", {"cases": ["x"], "inspectors": ["inspector:zz"]}),
    ("order", {"days": "5"}),
    ("close", {"note": "\x00"}),
])
def test_hostile_loop_input_is_refused(loop_world, action, body):
    res = loop_world["sup"].post(f"{H}/{loop_world['major']}/{action}", json=body)
    assert res.status_code == 422, (action, res.get_json())
    assert loop_world["sup"].get(f"{H}/{loop_world['major']}").get_json()["state"] == "found"


def test_photos_are_served_only_in_scope_and_the_original_untouched(app, login, loop_world):
    photo_id = loop_world["filed"]["hazards"][0]["photos"][0].split(":", 1)[1]
    sup = loop_world["sup"]
    original = sup.get(f"/console/photos/{photo_id}/original")
    assert original.status_code == 200 and original.mimetype == "image/jpeg"
    assert original.get_data() == records(app).get_attachment(f"photo:{photo_id}", "original.jpg")
    assert login("supervisor", "370200").get(f"/console/photos/{photo_id}/original").status_code == 404
    assert login("inspector", "370102").get(f"/console/photos/{photo_id}/thumbnail").status_code == 403
    assert sup.get(f"/console/photos/{photo_id}/../../_all_docs").status_code == 404
    assert sup.get(f"/console/photos/{photo_id}/exif").status_code == 404
