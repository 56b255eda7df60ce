"""Dispatch into inspector databases, cancelling and reassigning, and purging closed work from phones."""
from collections import Counter
from datetime import datetime, timezone

from server.db import couch, registry
from sync.phones import db_name
from sync.seal import is_sealed, seal_key
from sync.worker.purge import purge_phone
from tests.integration import lag
from tests.integration.helpers import race, race_codes
from tests.integration.test_plans import new_plan, world  # noqa: F401  (fixture)
from tests.integration.worker_fixtures import phone_db, records


def dispatched(world):
    author, approver = world["author"], world["approver"]
    key = new_plan(author)
    author.post(f"/api/v1/plans/{key}/draw")
    approver.post(f"/api/v1/plans/{key}/approve")
    assert approver.post(f"/api/v1/plans/{key}/dispatch").status_code == 200
    return key


def phone_ids(app, inspector_id):
    with app.app_context():
        name = app.config["DB_PREFIX"] + db_name(inspector_id)
        if name not in couch().all_dbs():
            return set()
        return {r["id"] for r in couch().db(name).all_docs()}


def test_dispatch_writes_each_task_only_to_its_team(app, world):
    key = dispatched(world)
    with app.app_context():
        tasks = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=100)
    secret = seal_key(app.config["SECRET_KEY"])
    for person in world["people"]:
        ids = phone_ids(app, person["id"])
        mine = [t for t in tasks if person["id"] in t["inspectors"]]
        assert {t["_id"] for t in mine} == {i for i in ids if i.startswith("task:")}
        for task in mine:
            assert {task["site"], f"enterprise:{task['enterprise']}", task["checklist"]} <= ids
            doc = phone_db(app, person["id"]).get(task["_id"])
            assert is_sealed(doc, secret) and "seal" in doc
            assert "avoid" not in str(doc) and "risk" not in doc


def test_cancel_and_reassign_move_tasks_between_phones(app, world, login):
    key = dispatched(world)
    author = world["author"]
    with app.app_context():
        task = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=1)[0]
    task_key = task["_id"].split(":", 1)[1]
    outsiders = [p["id"] for p in world["people"] if p["id"] not in task["inspectors"]
                 and not any(a["uscc"] == task["enterprise"] for a in p.get("avoid", []))]
    new_team = [task["inspectors"][0], outsiders[0]]
    dropped = task["inspectors"][1]
    res = author.post(f"/api/v1/tasks/{task_key}/reassign", json={"inspectors": new_team, "reason": "人员调整：出差"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["reassign_request"]["inspectors"] == new_team   # pending: a second person confirms
    res = world["approver"].post(f"/api/v1/tasks/{task_key}/reassign/confirm")
    assert res.status_code == 200, res.get_json()
    assert task["_id"] not in phone_ids(app, dropped) and task["_id"] in phone_ids(app, outsiders[0])
    avoider = world["people"][0]["id"]
    if any(a["uscc"] == task["enterprise"] for a in world["people"][0]["avoid"]):
        bad = author.post(f"/api/v1/tasks/{task_key}/reassign", json={"inspectors": [avoider, outsiders[0]],
                                                                       "reason": "测试回避"})
        assert bad.status_code == 422
    assert author.post(f"/api/v1/tasks/{task_key}/reassign", json={"inspectors": [new_team[0]],
                                                                    "reason": "只有一人"}).status_code == 422
    nosy = login("supervisor", "370100", "nosy2")
    assert nosy.post(f"/api/v1/tasks/{task_key}/cancel", json={"reason": "无权取消"}).status_code == 404
    assert author.post(f"/api/v1/tasks/{task_key}/cancel", json={"reason": "企业已停产"}).status_code == 200
    for member in new_team:
        assert task["_id"] not in phone_ids(app, member)


def test_a_confirmation_and_a_refusal_at_the_same_moment_leave_one_team(app, world, login):
    """A reassignment confirmed and refused at the same moment by second persons: one answer is kept, the
    team and the phones follow it, and the other is refused (409; 503 on a cluster when no racer reaches a
    quorum). Never a refused request on record beside phones that already hold the new team."""
    key = dispatched(world)
    author = world["author"]
    with app.app_context():
        task = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=1)[0]
    task_key = task["_id"].split(":", 1)[1]
    outsider = next(p["id"] for p in world["people"] if p["id"] not in task["inspectors"]
                    and not any(a["uscc"] == task["enterprise"] for a in p.get("avoid", [])))
    new_team = [task["inspectors"][0], outsider]
    res = author.post(f"/api/v1/tasks/{task_key}/reassign", json={"inspectors": new_team, "reason": "人员调整：出差"})
    assert res.status_code == 200, res.get_json()
    windows = [login("supervisor", "370100", "approver") for _ in range(4)]
    sends = [lambda s=s: s.post(f"/api/v1/tasks/{task_key}/reassign/confirm") for s in windows[:2]] + [
        lambda s=s: s.post(f"/api/v1/tasks/{task_key}/reassign/refuse", json={"reason": "原定人员可以到场"})
        for s in windows[2:]]
    answers = race(sends)
    if 200 not in race_codes(app, answers, 200, once=True):   # no racer reached a quorum: it still waits
        answers = [windows[0].post(f"/api/v1/tasks/{task_key}/reassign/confirm")]
    won = next(n for n, a in enumerate(answers) if a.status_code == 200)
    confirmed = answers[won].get_json()["inspectors"] == new_team
    assert confirmed == (won < 2 or len(answers) == 1)
    actions = lag.read_until(lambda: lag.audit_actions(app, task["_id"]),
                             lambda found: {"task.reassign", "task.reassign_refused"} & set(found))
    assert actions.count("task.reassign") + actions.count("task.reassign_refused") == 1, actions
    assert ("task.reassign" in actions) == confirmed
    held = lag.read_until(lambda: task["_id"] in phone_ids(app, outsider), lambda found: found == confirmed)
    assert held == confirmed
    with app.app_context():
        stored = lag.read_until(lambda: registry().get(task["_id"]), lambda doc: not doc.get("reassign_request"))
    assert stored["inspectors"] == (new_team if confirmed else task["inspectors"])


def test_purge_removes_closed_filed_work_and_keeps_open_work(app, world):
    key = dispatched(world)
    with app.app_context():
        tasks = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=100)
        person = Counter(i for t in tasks for i in t["inspectors"]).most_common(1)[0][0]
        mine = [t for t in tasks if person in t["inspectors"]]
        assert len(mine) >= 2, "the plan gives nobody two tasks"
        closed, targeted = mine[0], mine[1]
        closed.update(status="published", published_at="2020-01-01T00:00:00+00:00")
        targeted.update(status="done", random=False, result_at=datetime.now(timezone.utc).isoformat())  # not published
        for task in (closed, targeted):
            registry().put(task)
    db = phone_db(app, person)
    db.put({"_id": "inspection:11111111-1111-4111-8111-111111111111", "type": "inspection", "task": closed["_id"]})
    db.put({"_id": "inspection:22222222-2222-4222-8222-222222222222", "type": "inspection", "task": closed["_id"]})
    records(app).put({"_id": "inspection:11111111-1111-4111-8111-111111111111", "type": "inspection"})
    with app.app_context():
        result = purge_phone(db, registry(), records(app), keep_days=30, budget=10_000)
    ids = {r["id"] for r in db.all_docs()}
    assert closed["_id"] not in ids and "inspection:11111111-1111-4111-8111-111111111111" not in ids
    assert "inspection:22222222-2222-4222-8222-222222222222" in ids     # not yet filed: kept
    assert all(t["_id"] in ids for t in mine[1:]) and result["removed"] == 2    # done today: kept for now
    with app.app_context():
        targeted = registry().get(targeted["_id"])
        targeted["result_at"] = "2020-01-02T00:00:00+00:00"          # a targeted check's work ends too
        registry().put(targeted)
        assert purge_phone(db, registry(), records(app), keep_days=30, budget=10_000)["removed"] == 1
    assert targeted["_id"] not in {r["id"] for r in db.all_docs()}


def test_each_phone_task_names_its_team_with_certificates(app, world):
    key = dispatched(world)
    with app.app_context():
        task = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=1)[0]
        people = registry().docs_by_id(task["inspectors"])
    doc = phone_db(app, task["inspectors"][0]).get(task["_id"])
    team = {m["id"]: m for m in doc["team"]}
    assert set(team) == set(task["inspectors"] + task["experts"])
    for person_id, person in people.items():
        assert (team[person_id]["name"], team[person_id]["cert_no"], team[person_id]["unit"]) == (
            person["name"], person["cert_no"], person["unit"])
        assert team[person_id]["kind"] == "inspector" and "avoid" not in team[person_id]
    assert doc["kind"] == "random" and doc["checklist_title"]["zh"]


def test_demo_tasks_reach_only_the_demo_team(app, world):
    from server.demo.tasks import dispatch_demo
    team = [p["id"] for p in world["people"][:2]]
    outsider = world["people"][2]["id"]
    with app.app_context():
        enterprises = registry().find({"type": "enterprise", "region": {"$gt": None}}, limit=5)
        result = dispatch_demo(registry(), "演示任务", enterprises, team, per_day=2)
        plan = registry().get(result["plan"])
    assert result["tasks"] == len(enterprises) and plan["status"] == "dispatched"
    for member in team:
        ids = phone_ids(app, member)
        assert {f"task:{plan['_id'][5:]}:{n:05d}" for n in range(1, len(enterprises) + 1)} <= ids
    assert not {i for i in phone_ids(app, outsider) if i.startswith(f"task:{plan['_id'][5:]}")}
