"""Regression tests for issue 12 failures 5-7: reassignment under the plan's rules by two people,
all-or-nothing publication of sound results with lateness shown, approval that follows re-draws."""
import json
import uuid
from datetime import date, timedelta

from server import audit
from server.db import database, registry
from tests.integration.helpers import inspector
from tests.integration.test_plans import new_plan, rules, world  # noqa: F401  (fixture)


def _key(ident: str) -> str:
    return ident.split(":", 1)[1]


def _dispatched(world, **plan):
    author, approver = world["author"], world["approver"]
    key = new_plan(author, **plan)
    assert author.post(f"/api/v1/plans/{key}/draw").status_code == 201
    assert approver.post(f"/api/v1/plans/{key}/approve").status_code == 200
    assert approver.post(f"/api/v1/plans/{key}/dispatch").status_code == 200
    return key


def _tasks(app, key):
    with app.app_context():
        return registry().find({"type": "task", "plan": f"plan:{key}"}, limit=100)


def test_failure5_reassignment_keeps_the_plans_rules(app, world, login):
    key = _dispatched(world, rules=rules(cross_region=True))
    task = next(t for t in _tasks(app, key) if t["region"] == "370102")
    people = {p["id"]: p for p in world["people"]}
    local = [pid for pid, p in people.items() if p["region"] == "370102"]
    distant = [pid for pid, p in people.items() if p["region"] == "370112"]
    url = f"/api/v1/tasks/{_key(task['_id'])}/reassign"
    res = world["author"].post(url, json={"inspectors": [distant[0], local[0]], "reason": "人员调整：出差"})
    assert res.status_code == 422 and "异地交叉" in json.dumps(res.get_json(), ensure_ascii=False)
    qingdao = login("admin", "370000", "admin").post("/api/v1/inspectors", json=inspector(region="370202"))
    res = world["author"].post(url, json={"inspectors": [distant[0], qingdao.get_json()["id"]], "reason": "借调青岛人员"})
    assert res.status_code == 422 and "范围" in json.dumps(res.get_json(), ensure_ascii=False)
    assert _tasks(app, key)[0]["inspectors"] and registry_task(app, task)["inspectors"] == task["inspectors"]


def registry_task(app, task):
    with app.app_context():
        return registry().get(task["_id"])


def test_failure5_team_size_and_second_person(app, world, login):
    key = _dispatched(world, rules=rules(inspectors=3))
    task = _tasks(app, key)[0]
    others = [p["id"] for p in world["people"] if p["id"] not in task["inspectors"]
              and not any(a["uscc"] == task["enterprise"] for a in p.get("avoid", []))]
    url = f"/api/v1/tasks/{_key(task['_id'])}/reassign"
    two = [task["inspectors"][0], others[0]]
    res = world["author"].post(url, json={"inspectors": two, "reason": "人员调整"})
    assert res.status_code == 422 and "3" in json.dumps(res.get_json(), ensure_ascii=False)
    team = task["inspectors"][:2] + others[:1]
    res = world["author"].post(url, json={"inspectors": team, "reason": "人员调整：出差"})
    assert res.status_code == 200 and res.get_json()["inspectors"] == task["inspectors"]   # not yet changed
    assert world["author"].post(url + "/confirm").status_code == 403                       # not by the asker
    for who, code in ((app.test_client(), 403), (login("inspector", "370102", "insp"), 403),
                      (login("supervisor", "370102", "district"), 404)):   # anonymous: refused (CSRF, 403)
        assert who.post(url + "/confirm").status_code == code
        assert who.post(url + "/refuse", json={"reason": "不同意改派"}).status_code == code
        assert who.post(url, json={"inspectors": team, "reason": "越权改派"}).status_code == code
    res = world["approver"].post(url + "/confirm")
    assert res.status_code == 200 and sorted(res.get_json()["inspectors"]) == sorted(team)
    assert world["approver"].post(url + "/confirm").status_code == 409                     # nothing pending
    admin = login("admin", "370000", "admin")
    assert world["approver"].post(url, json={"inspectors": task["inspectors"], "reason": "恢复原检查组"}).status_code == 200
    assert admin.post(url + "/refuse", json={"reason": "原组已另有安排"}).status_code == 200
    assert registry_task(app, task)["reassign_request"] is None
    with app.app_context():
        actions = [e["action"] for e in audit.entries_for(database("audit"), task["_id"])]
    assert {"task.reassign_request", "task.reassign", "task.reassign_refused"} <= set(actions)


def _approved_inspection(app, task, started: str, general: int) -> str:
    ident = f"inspection:{uuid.uuid4()}"
    with app.app_context():
        database("records").put({"_id": ident, "type": "inspection", "task": task["_id"], "review_status": "approved",
                                 "started_at": started, "hazards": {"general": general, "major": 0},
                                 "answers": [{"item": f"i{n}", "value": "pass"} for n in range(5)]})
    return ident


def _unchanged(app, task):
    now = registry_task(app, task)
    with app.app_context():
        public = database("public").get_or_none(f"result:{_key(task['_id'])}")
    return now["status"] == "dispatched" and "result" not in now and public is None


def test_failure6_publication_is_all_or_nothing_and_sound(app, world, tmp_path, monkeypatch):
    key = _dispatched(world, publication={"days": 90, "unit": "working"})
    task = next(t for t in _tasks(app, key) if t["random"])
    url = f"/api/v1/tasks/{_key(task['_id'])}/result"
    author = world["author"]
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    refused = [{"checked_on": "2026-11-20", "items_checked": 23, "outcome": "no_problem"},        # no source
               {"outcome": "not_inspected", "checked_on": tomorrow, "reason": "企业已停产"},          # future
               {"outcome": "not_inspected", "checked_on": "2026-11-20"}]                           # no reason
    ident = _approved_inspection(app, task, "2026-11-20T02:00:00Z", general=2)
    refused.append({"inspection": ident, "outcome": "no_problem"})                                # inconsistent
    refused.append({"inspection": f"inspection:{uuid.uuid4()}"})                                   # unknown
    for body in refused:
        assert author.post(url, json=body).status_code == 422, body
        assert _unchanged(app, task), body
    empty = tmp_path / "extra.json"
    # The calendar no longer refuses a year it does not know (it counts it provisionally, calendar's rule):
    # all-or-nothing is shown by the refusals above, each leaving task and public feed untouched.
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(empty))
    empty.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}))
    res = author.post(url, json={"inspection": ident, "hazards_general": 2})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["status"] == "published" and body["published_late"] is False and body["publication_due"] > "2027"


def test_failure6_lateness_is_shown(app, world, client):
    key = _dispatched(world, period={"start": "2025-01-01", "end": "2025-03-31"})
    task = next(t for t in _tasks(app, key) if t["random"])
    res = world["author"].post(f"/api/v1/tasks/{_key(task['_id'])}/result",
                               json={"outcome": "not_inspected", "checked_on": "2025-02-10", "reason": "企业已注销"})
    assert res.status_code == 200 and res.get_json()["published_late"] is True
    feed = client.get("/api/v1/public/results").get_json()
    assert feed[0]["late"] is True and feed[0]["reason"] == "企业已注销" and feed[0]["due"] < "2025-04-01"
    page = client.get("/public/results").get_data(as_text=True)
    assert "逾期公示" in page and "企业已注销" in page and "未实施检查" in page


def test_failure7_approval_follows_redraws(app, world):
    author, approver = world["author"], world["approver"]
    key = new_plan(author)
    author.post(f"/api/v1/plans/{key}/draw")
    assert approver.post(f"/api/v1/plans/{key}/approve").status_code == 200
    author.post(f"/api/v1/plans/{key}/redraw-request", json={"reason": "企业名录更新后需按新名录重新抽取"})
    res = approver.post(f"/api/v1/plans/{key}/redraw")       # the approver confirms the re-draw …
    assert res.status_code == 201 and res.get_json()["by"] == "author" and res.get_json()["confirmed_by"] == "approver"
    plan = approver.get(f"/api/v1/plans/{key}").get_json()
    assert plan["status"] == "drawn" and plan.get("approved_by") is None
    assert plan["approvals"][0]["by"] == "approver" and plan["approval"]["eligible"] is True
    assert approver.post(f"/api/v1/plans/{key}/approve").status_code == 200   # … and may still approve it
    approver.post(f"/api/v1/plans/{key}/redraw-request", json={"reason": "审批人发现抽取范围有误需重抽"})
    assert author.post(f"/api/v1/plans/{key}/redraw").status_code == 201
    assert approver.post(f"/api/v1/plans/{key}/approve").status_code == 200
    with app.app_context():
        tasks = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=100)
    live = [t for t in tasks if t["status"] == "ready"]
    assert live and all(t["draw"] == f"draw:{key}:003" for t in live)


def test_failure7_an_approver_who_cannot_approve_is_explained_and_replaced(app, world, login):
    admin = login("admin", "370000", "admin")
    author = world["author"]
    key = new_plan(author, approver="admin")
    assert admin.post(f"/api/v1/plans/{key}/draw").status_code == 201          # the admin drafted it
    state = author.get(f"/api/v1/plans/{key}").get_json()["approval"]
    assert state["eligible"] is False and "admin" in state["reason"] and "另行指定" in state["reason"]
    assert admin.post(f"/api/v1/plans/{key}/approve").status_code == 403
    url = f"/api/v1/plans/{key}/approver"
    assert app.test_client().get(f"/api/v1/plans/{key}").status_code == 401
    for who, code in ((app.test_client(), 403), (login("inspector", "370102", "insp"), 403),
                      (login("supervisor", "370102", "district"), 404), (world["approver"], 404)):
        assert who.post(url, json={"approver": "approver"}).status_code == code
    assert author.post(url, json={"approver": "author"}).status_code == 422
    assert author.post(url, json={"approver": "approver", "x": 1}).status_code == 422
    res = admin.post(url, json={"approver": "approver"})
    assert res.status_code == 200 and res.get_json()["approval"]["eligible"] is True
    assert world["approver"].post(f"/api/v1/plans/{key}/approve").status_code == 200
