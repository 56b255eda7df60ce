"""Inspector availability end to end: leave recorded (validated, audited), a person on leave for the whole
period or with a full workload is not drawn, nobody gets more tasks than the cap, reassignment respects leave."""
from collections import Counter

from server import audit
from server.db import database, registry
from tests.integration.test_plans import new_plan, world  # noqa: F401  (fixture)


def _key(ident: str) -> str:
    return ident.split(":", 1)[1]


def test_leave_and_workload_keep_people_from_being_double_booked(app, world):
    author, approver = world["author"], world["approver"]
    away, partly = world["people"][2], world["people"][3]
    url = f"/api/v1/inspectors/{_key(away['id'])}"
    for bad in ([{"start": "2026-10-05", "end": "2026-10-01"}], [{"start": "十月", "end": "2026-10-01"}],
                [{"start": "2026-10-01"}], [{"start": "2026-10-01", "end": "2026-10-02", "x": 1}],
                [{"start": "2026-10-01", "end": "2026-10-02"}] * 101, "2026-10-01"):
        assert author.patch(url, json={"leave": bad}).status_code == 422, str(bad)[:40]
    whole = [{"start": "2026-09-01", "end": "2027-01-31", "reason": "脱产培训"}]
    res = author.patch(url, json={"leave": whole})
    assert res.status_code == 200 and res.get_json()["leave"] == whole
    assert author.patch(url, json={"mobile": "13900000002"}).get_json()["leave"] == whole   # kept
    first_half = [{"start": "2026-10-01", "end": "2026-11-15", "reason": "借调"}]
    assert author.patch(f"/api/v1/inspectors/{_key(partly['id'])}", json={"leave": first_half}).status_code == 200
    app.config["WORKLOAD_MAX_TASKS_PER_MONTH"] = 1
    key = new_plan(author)
    drawn = author.post(f"/api/v1/plans/{key}/draw").get_json()
    assert drawn.get("tasks") is not None, drawn
    load = Counter(i for t in drawn["tasks"] for i in t["inspectors"])
    assert away["id"] not in load
    assert load[partly["id"]] <= 2                     # 3 months at 1 a month, half of it on leave
    assert all(n <= 3 for n in load.values())
    reasons = {e["inspector"]: e["reason"] for e in drawn["exclusions"] if e["enterprise"] is None}
    assert reasons[away["id"]] == "on_leave"
    assert author.get(f"/api/v1/plans/{key}/draws/1/verify").get_json()["identical"] is True
    assert approver.post(f"/api/v1/plans/{key}/approve").status_code == 200
    with app.app_context():
        task = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=1)[0]
        changes = [e for e in audit.entries_for(database("audit"), away["id"]) if e["action"] == "inspector.leave"]
    assert changes and changes[0]["details"]["after"] == whole
    res = author.post(f"/api/v1/tasks/{_key(task['_id'])}/reassign",
                      json={"inspectors": [task["inspectors"][0], away["id"]], "reason": "人员调整"})
    assert res.status_code == 422 and "请假" in str(res.get_json())
    busy = new_plan(author)     # everyone's month is now booked by the approved plan: nobody left to draw
    res = author.post(f"/api/v1/plans/{busy}/draw")
    assert res.status_code == 422 and "draw" in res.get_json()["errors"]


def test_console_page_sets_certificate_and_leave(app, world, login):
    import re
    author, person = world["author"], world["people"][1]
    key = _key(person["id"])
    listing = author.get("/console/inspectors").get_data(as_text=True)
    assert f"/console/inspectors/{key}/availability" in listing
    page = author.get(f"/console/inspectors/{key}/availability").get_data(as_text=True)
    assert "执法证与请假" in page and person["name"] in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    base = f"/console/inspectors/{key}"
    assert author.post(base + "/certificate", data={"csrf_token": token, "cert_expires": "2099-02-30"}).status_code == 422
    res = author.post(base + "/certificate", data={"csrf_token": token, "cert_expires": "2027-06-30"})
    assert res.status_code == 302 and "done=certificate" in res.headers["Location"]
    bad = author.post(base + "/leave", data={"csrf_token": token, "start": "2026-12-10", "end": "2026-12-01"})
    assert bad.status_code == 422 and "不能早于" in bad.get_data(as_text=True)
    assert author.post(base + "/leave", data={"csrf_token": token, "start": "2026-12-01", "end": "2026-12-10",
                                               "reason": "年休假"}).status_code == 302
    doc = author.get(f"/api/v1/inspectors/{key}").get_json()
    assert doc["cert_expires"] == "2027-06-30" and doc["leave"] == [{"start": "2026-12-01", "end": "2026-12-10",
                                                                       "reason": "年休假"}]
    assert author.post(base + "/leave/5/remove", data={"csrf_token": token}).status_code == 404
    assert author.post(base + "/leave/0/remove", data={"csrf_token": token}).status_code == 302
    assert author.get(f"/api/v1/inspectors/{key}").get_json()["leave"] == []
    with app.app_context():
        actions = [e["action"] for e in audit.entries_for(database("audit"), person["id"])]
    assert actions.count("inspector.leave") == 2 and "inspector.certificate" in actions
    assert app.test_client().get(base + "/availability").status_code == 302
    assert login("supervisor", "370112", "other").get(base + "/availability").status_code == 404   # 370102 person
    assert login("inspector", "370102", "insp").get(base + "/availability").status_code in (302, 403)
    assert login("admin", "370000", "admin").get(base + "/availability").status_code == 200
    assert author.get("/console/inspectors/zzz/availability").status_code == 404
