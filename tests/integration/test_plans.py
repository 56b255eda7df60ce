"""Plans end to end on a real CouchDB: draw, verify, approve by a second person, re-draw, secrecy, 一公开."""
import pytest

from server import audit
from server.accounts import store as accounts
from server.db import database, registry
from tests.integration import lag
from tests.integration.helpers import enterprise, inspector, race, race_codes


def rules(**team):
    return {"scope": {"regions": ["370100"], "sectors": []},
            "tiers": [{"name": "高风险", "risk": ["red", "orange"], "proportion": 1.0},
                      {"name": "其他", "risk": ["yellow", "blue"], "proportion": 0.5, "rounding": "ceil"}],
            "team": {"inspectors": 2, "experts": 0, "require_qualification": True, "cross_region": False, **team}}


@pytest.fixture
def world(app, login):
    """Two supervisors of 济南市, 6 enterprises, 5 inspectors (one with an avoidance), accounts for two."""
    author, approver = login("supervisor", "370100", "author"), login("supervisor", "370100", "approver")
    firms = []
    for i, risk in enumerate(["红", "橙", "黄", "黄", "蓝", "蓝"]):
        body = enterprise(region="370102" if i % 2 else "370112", risk=risk, name=f"计划测试企业{i}有限公司")
        assert author.post("/api/v1/enterprises", json=body).status_code == 201
        firms.append(body)
    people = []
    for i in range(5):
        extra = {"avoid": [{"uscc": firms[0]["uscc"], "reason": "亲属"}]} if i == 0 else {}
        res = author.post("/api/v1/inspectors", json=inspector(region="370102" if i % 2 else "370112",
                                                              name=f"执法员{i}", **extra))
        assert res.status_code == 201, res.get_json()
        people.append(res.get_json())
    with app.app_context():
        for i in (0, 1):
            accounts.create_user(registry(), {"username": f"field{i}", "role": "inspector", "region": people[i]["region"],
                                              "display_name": people[i]["name"], "password": "correct horse battery 9",
                                              "inspector_id": people[i]["id"]})
    return {"author": author, "approver": approver, "firms": firms, "people": people}


def new_plan(session, **extra):
    body = {"name": "2026年第四季度双随机抽查", "period": {"start": "2026-10-01", "end": "2026-12-31"},
            "approver": "approver", "rules": rules(), "window_days": 10, **extra}
    res = session.post("/api/v1/plans", json=body)
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"].split(":", 1)[1]


def test_full_plan_life_cycle(app, world, login):
    author, approver = world["author"], world["approver"]
    key = new_plan(author)
    res = author.post(f"/api/v1/plans/{key}/draw")
    assert res.status_code == 201, res.get_json()
    drawn = res.get_json()
    assert len(drawn["tasks"]) == 2 + 2   # 100 % of 2 red/orange + ceil(50 % of 4)
    for task in drawn["tasks"]:
        assert len(set(task["inspectors"])) == 2
        if task["enterprise"] == world["firms"][0]["uscc"]:
            assert world["people"][0]["id"] not in task["inspectors"]
    assert any(e["reason"] == "avoidance" for e in drawn["exclusions"])
    assert len(drawn["record"]["seed"]) == 64
    assert author.post(f"/api/v1/plans/{key}/draw").status_code == 409          # drawn once
    assert author.get(f"/api/v1/plans/{key}/draws/1/verify").get_json()["identical"] is True
    assert author.post(f"/api/v1/plans/{key}/approve").status_code == 403        # not by the drawer
    res = approver.post(f"/api/v1/plans/{key}/approve")
    assert res.status_code == 200 and res.get_json()["status"] == "approved"
    assert approver.post(f"/api/v1/plans/{key}/dispatch").status_code == 200
    assert approver.get(f"/api/v1/plans/{key}").get_json()["status"] == "dispatched"
    with app.app_context():
        assert audit.verify_chain(database("audit"))["ok"]
        actions = {e["action"] for e in audit.entries_for(database("audit"), f"plan:{key}")}
    assert {"plan.create", "plan.draw", "plan.approve", "plan.dispatch", "plan.view"} <= actions


def test_redraw_needs_a_reason_and_a_second_supervisor(world):
    author, approver = world["author"], world["approver"]
    key = new_plan(author)
    author.post(f"/api/v1/plans/{key}/draw")
    assert author.post(f"/api/v1/plans/{key}/redraw").status_code == 409                       # no request
    assert author.post(f"/api/v1/plans/{key}/redraw-request", json={"reason": "短"}).status_code == 422
    assert author.post(f"/api/v1/plans/{key}/redraw-request",
                       json={"reason": "企业名录更新后需按新名录重新抽取"}).status_code == 200
    assert author.post(f"/api/v1/plans/{key}/redraw").status_code == 403                       # same person
    res = approver.post(f"/api/v1/plans/{key}/redraw")
    assert res.status_code == 201 and res.get_json()["number"] == 2
    draws = author.get(f"/api/v1/plans/{key}/draws").get_json()
    assert [d["superseded"] for d in draws] == [True, False]
    assert draws[0]["record"]["seed"] != draws[1]["record"]["seed"]
    for n in (1, 2):
        assert author.get(f"/api/v1/plans/{key}/draws/{n}/verify").get_json()["identical"] is True


def test_draws_sent_at_the_same_moment_make_one_draw(app, world, login):
    """A double click, or two windows of the author: one draw is made and kept, the others are refused (409).
    On a CouchDB cluster a racing draw can be accepted by some copies of the shard first: it is never taken
    for a second draw, and when no racer reaches a quorum (503) none is made and the plan can be drawn again."""
    author = world["author"]
    key = new_plan(author)
    windows = [author] + [login("supervisor", "370100", "author") for _ in range(5)]
    answers = race([lambda s=s: s.post(f"/api/v1/plans/{key}/draw") for s in windows])
    race_codes(app, answers, 201, once=True)
    won = next((a for a in answers if a.status_code == 201), None) or author.post(f"/api/v1/plans/{key}/draw")
    assert won.status_code == 201, won.get_json()
    draws = lag.read_until(lambda: author.get(f"/api/v1/plans/{key}/draws").get_json(), lambda found: len(found) >= 1)
    assert [d["record"]["seed"] for d in draws] == [won.get_json()["record"]["seed"]]
    actions = lag.read_until(lambda: lag.audit_actions(app, f"plan:{key}"), lambda found: "plan.draw" in found)
    assert actions.count("plan.draw") == 1, actions


def test_plans_and_tasks_are_secret_until_dispatch(app, world, login):
    author, approver = world["author"], world["approver"]
    key = new_plan(author)
    author.post(f"/api/v1/plans/{key}/draw")
    approver.post(f"/api/v1/plans/{key}/approve")
    outsiders = [login("supervisor", "370100", "nosy"), login("supervisor", "370102", "district"),
                 login("inspector", "370102", "stranger")]
    field = [login("inspector", "370100", f"field{i}") for i in (0, 1)]
    for who in outsiders + field:
        for path in (f"/api/v1/plans/{key}", f"/api/v1/plans/{key}/draws", f"/api/v1/plans/{key}/draws/1/verify"):
            assert who.get(path).status_code in (403, 404), (who.username, path)
        assert who.post(f"/api/v1/plans/{key}/dispatch").status_code in (403, 404)
    with app.app_context():
        tasks = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=100)
    task_key = tasks[0]["_id"].split(":", 1)[1]
    for who in outsiders + field:
        assert who.get(f"/api/v1/tasks/{task_key}").status_code == 404
    assert all(who.get("/api/v1/tasks/mine").get_json() == [] for who in field)
    approver.post(f"/api/v1/plans/{key}/dispatch")
    mine = {i: field[i].get("/api/v1/tasks/mine").get_json() for i in (0, 1)}
    for i in (0, 1):
        for task in mine[i]:
            assert world["people"][i]["id"] in task["inspectors"]
            assert field[i].get(f"/api/v1/tasks/{task['id'].split(':', 1)[1]}").status_code == 200
    for task in tasks:
        team = task["inspectors"]
        for i in (0, 1):
            code = field[i].get(f"/api/v1/tasks/{task['_id'].split(':', 1)[1]}").status_code
            assert code == (200 if world["people"][i]["id"] in team else 404)
    assert app.test_client().get(f"/api/v1/tasks/{task_key}").status_code == 401
    assert author.get(f"/api/v1/tasks/{task_key}").status_code == 200
    with app.app_context():
        views = [e for e in audit.entries_for(database("audit"), tasks[0]["_id"]) if e["action"] == "task.view"]
    assert "author" in {e["actor"] for e in views}


def test_draw_that_cannot_be_staffed_says_why(world):
    author = world["author"]
    key = new_plan(author, rules={**rules(), "team": {"inspectors": 6}})
    res = author.post(f"/api/v1/plans/{key}/draw")
    assert res.status_code == 422
    assert "draw" in res.get_json()["errors"]


def test_plan_validation_and_roles(world, login):
    author = world["author"]
    bad = [{"approver": "author"}, {"approver": "nobody"}, {"period": {"start": "2026-12-01", "end": "2026-01-01"}},
           {"rules": {"scope": {"regions": []}}}, {"rules": {**rules(), "team": {"inspectors": 1}}},
           {"window_days": 0}, {"surprise": 1}]
    for change in bad:
        body = {"name": "计划", "period": {"start": "2026-10-01", "end": "2026-12-31"}, "approver": "approver",
                "rules": rules(), **change}
        assert author.post("/api/v1/plans", json=body).status_code == 422, change
    district = login("supervisor", "370102", "district2")
    body = {"name": "越权计划", "period": {"start": "2026-10-01", "end": "2026-12-31"}, "approver": "approver",
            "rules": rules()}
    assert district.post("/api/v1/plans", json=body).status_code == 403
    assert login("inspector", "370102", "ins").post("/api/v1/plans", json=body).status_code == 403


def test_result_publication_and_public_feed(app, world, client):
    author, approver = world["author"], world["approver"]
    key = new_plan(author, period={"start": "2025-01-01", "end": "2025-03-31"})   # long past: all overdue
    author.post(f"/api/v1/plans/{key}/draw")
    approver.post(f"/api/v1/plans/{key}/approve")
    with app.app_context():
        task = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=1)[0]
    task_key = task["_id"].split(":", 1)[1]
    result = {"checked_on": "2025-02-08", "items_checked": 5, "outcome": "problems_found",
              "hazards_general": 3, "hazards_major": 1, "rectification": "in_progress"}
    inspection = "inspection:33333333-3333-4333-8333-333333333333"
    with app.app_context():
        database("records").put({"_id": inspection, "type": "inspection", "task": task["_id"],
                                 "review_status": "approved", "started_at": "2025-02-08T02:00:00Z",
                                 "hazards": {"general": 3, "major": 1},
                                 "answers": [{"item": f"i{n}", "value": "fail"} for n in range(5)]})
    result["inspection"] = inspection
    assert author.post(f"/api/v1/tasks/{task_key}/result", json=result).status_code == 409   # not dispatched
    approver.post(f"/api/v1/plans/{key}/dispatch")
    assert author.post(f"/api/v1/tasks/{task_key}/result", json={**result, "inspector_notes": "x"}).status_code == 422
    res = author.post(f"/api/v1/tasks/{task_key}/result", json=result)
    assert res.status_code == 200 and res.get_json()["status"] == "published"
    feed = client.get("/api/v1/public/results").get_json()
    assert len(feed) == 1 and feed[0]["hazards"] == {"general": 3, "major": 1}
    assert set(feed[0]) == {"enterprise_name", "uscc", "region", "plan_name", "checked_on", "items_checked",
                            "outcome", "hazards", "rectification", "published_at", "reason", "due", "late"}
    page = client.get("/public/results").get_data(as_text=True)
    assert task["enterprise_name"] in page
    overdue = author.get("/api/v1/tasks/overdue-publications").get_json()
    assert all(o["task"] != task["_id"] for o in overdue)
    assert len(overdue) == 4 - 1 and all(o["due"] < "2025-06-01" for o in overdue)


def test_verify_commands(app, world):
    author, approver = world["author"], world["approver"]
    key = new_plan(author)
    author.post(f"/api/v1/plans/{key}/draw")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-draw", key])
    assert result.exit_code == 0 and "identical" in result.output
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
    with app.app_context():   # tamper with the stored result: verification must notice
        draw_doc = registry().get(f"draw:{key}:001")
        draw_doc["tasks"][0]["inspectors"].reverse()
        draw_doc["record"]["tasks"] = draw_doc["record"]["tasks"] + 1
        registry().put(draw_doc)
    result = runner.invoke(args=["verify-draw", key])
    assert result.exit_code == 1 and "DIFFERENT" in result.output
    assert author.get(f"/api/v1/plans/{key}/draws/1/verify").get_json()["identical"] is False


def test_console_flags_overdue_publications(app, world):
    author, approver = world["author"], world["approver"]
    key = new_plan(author, period={"start": "2025-01-01", "end": "2025-03-31"})
    author.post(f"/api/v1/plans/{key}/draw")
    approver.post(f"/api/v1/plans/{key}/approve")
    approver.post(f"/api/v1/plans/{key}/dispatch")
    page = author.get("/console/plans").get_data(as_text=True)
    assert "超过公示期限" in page and "2026年第四季度双随机抽查" in page
    other = app.test_client()
    assert other.get("/console/plans").status_code == 302
