"""Regression tests for issue 12 failures 1-4: avoidance kept on edit, verify against the stored result,
annual caps across plans, avoid-repeat over a configurable window."""
from server import audit
from server.db import database, registry
from server.plans import pools as pool_store
from tests.integration.test_plans import new_plan, rules, world  # noqa: F401  (fixture)

ONE_A_YEAR = {"default": {"1": 1, "2": 1, "3": 1, "none": 1}, "sectors": {}}


def _key(ident: str) -> str:
    return ident.split(":", 1)[1]


def test_failure1_patch_keeps_avoidance_and_audits_its_changes(app, world):
    author, avoider = world["author"], world["people"][0]
    key = _key(avoider["id"])
    res = author.patch(f"/api/v1/inspectors/{key}", json={"mobile": "13900000001"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["avoid"] == avoider["avoid"] and len(avoider["avoid"]) == 1
    assert author.get(f"/api/v1/inspectors/{key}").get_json()["avoid"] == avoider["avoid"]
    # The draw a minute later must still keep them off the enterprise they declared.
    plan = new_plan(author)
    drawn = author.post(f"/api/v1/plans/{plan}/draw").get_json()
    for task in drawn["tasks"]:
        if task["enterprise"] == world["firms"][0]["uscc"]:
            assert avoider["id"] not in task["inspectors"]
    # An entry must name its enterprise, even in a partial update.
    assert author.patch(f"/api/v1/inspectors/{key}", json={"avoid": [{"reason": "亲属"}]}).status_code == 422
    # Naming the list does change it, and the change is audited with before and after.
    res = author.patch(f"/api/v1/inspectors/{key}", json={"avoid": []})
    assert res.status_code == 200 and res.get_json()["avoid"] == []
    with app.app_context():
        entries = [e for e in audit.entries_for(database("audit"), avoider["id"])
                   if e["action"] == "inspector.avoidance"]
    entries.sort(key=lambda e: e["seq"])   # the declaration at registration, then its removal
    assert len(entries) == 2 and entries[0]["details"] == {"before": [], "after": avoider["avoid"]}
    assert entries[1]["details"]["before"] == avoider["avoid"] and entries[1]["details"]["after"] == []
    assert entries[1]["actor"] == "author"


def _tamper(app, key: str, change) -> None:
    with app.app_context():
        doc = registry().get(f"draw:{key}:001")
        change(doc)
        registry().put(doc)


def test_failure2_verify_compares_the_stored_result(app, world):
    author, approver = world["author"], world["approver"]
    swapped = new_plan(author)
    author.post(f"/api/v1/plans/{swapped}/draw")

    def swap_team(doc):
        doc["tasks"][0]["inspectors"], doc["tasks"][1]["inspectors"] = (doc["tasks"][1]["inspectors"],
                                                                        doc["tasks"][0]["inspectors"])
    _tamper(app, swapped, swap_team)
    outcome = author.get(f"/api/v1/plans/{swapped}/draws/1/verify").get_json()
    assert outcome["identical"] is False and "stored.tasks" in outcome["mismatches"]
    res = approver.post(f"/api/v1/plans/{swapped}/approve")
    assert res.status_code == 409 and "核验" in res.get_json()["message"]
    assert approver.get(f"/api/v1/plans/{swapped}").get_json()["status"] == "drawn"

    emptied = new_plan(author)
    author.post(f"/api/v1/plans/{emptied}/draw")
    assert approver.post(f"/api/v1/plans/{emptied}/approve").status_code == 200
    _tamper(app, emptied, lambda doc: doc.update(exclusions=[]))
    outcome = author.get(f"/api/v1/plans/{emptied}/draws/1/verify").get_json()
    assert outcome["identical"] is False and "stored.exclusions" in outcome["mismatches"]
    assert approver.post(f"/api/v1/plans/{emptied}/dispatch").status_code == 409
    with app.app_context():
        assert not registry().find({"type": "task", "plan": f"plan:{emptied}", "status": "dispatched"}, limit=5)


def test_failure2_pool_snapshot_tampering_is_seen(app, world):
    author = world["author"]
    key = new_plan(author)
    author.post(f"/api/v1/plans/{key}/draw")
    with app.app_context():
        doc = registry().get(f"draw:{key}:001")
        pools = pool_store.unpack(registry().get_attachment(doc["_id"], pool_store.POOL_ATTACHMENT))
        pools["inspectors"] = pools["inspectors"][1:]
        registry().put_attachment(doc["_id"], doc["_rev"], pool_store.POOL_ATTACHMENT, pool_store.pack(pools),
                                  "application/gzip")
    outcome = author.get(f"/api/v1/plans/{key}/draws/1/verify").get_json()
    assert outcome["identical"] is False and "pools.inspectors" in outcome["mismatches"]


def test_failure3_caps_hold_across_plans_approved_later(app, world):
    author, approver = world["author"], world["approver"]
    every_firm = {**rules(), "tiers": [{"name": "全部", "proportion": 1.0}], "caps": ONE_A_YEAR}
    first, second = new_plan(author, rules=every_firm), new_plan(author, rules=every_firm)
    for key in (first, second):   # both drawn before either is approved: the draw cannot see the other
        assert len(author.post(f"/api/v1/plans/{key}/draw").get_json()["tasks"]) == 6
    assert approver.post(f"/api/v1/plans/{first}/approve").status_code == 200
    res = approver.post(f"/api/v1/plans/{second}/approve")
    assert res.status_code == 409, res.get_json()
    body = res.get_json()
    assert "计划测试企业0有限公司" in body["message"] and len(body["errors"]["caps"]) == 6
    assert approver.get(f"/api/v1/plans/{second}").get_json()["status"] == "drawn"
    with app.app_context():
        assert not registry().find({"type": "task", "plan": f"plan:{second}"}, limit=5)
    # Another year has its own cap.
    next_year = new_plan(author, rules=every_firm, period={"start": "2027-01-01", "end": "2027-03-31"})
    author.post(f"/api/v1/plans/{next_year}/draw")
    assert approver.post(f"/api/v1/plans/{next_year}/approve").status_code == 200


def _one_firm_plan(author, firm: str, start: str, end: str) -> str:
    only = {**rules(), "tiers": [], "targeted": {"uscc": [firm]}}
    return new_plan(author, rules=only, period={"start": start, "end": end})


def test_failure4_avoid_repeat_looks_back_over_a_window(app, world):
    author, approver = world["author"], world["approver"]
    firm = world["firms"][1]["uscc"]   # nobody avoids it
    old = _one_firm_plan(author, firm, "2025-11-01", "2025-12-31")
    author.post(f"/api/v1/plans/{old}/draw")
    assert approver.post(f"/api/v1/plans/{old}/approve").status_code == 200
    assert approver.post(f"/api/v1/plans/{old}/dispatch").status_code == 200
    with app.app_context():
        old_team = set(registry().find({"type": "task", "plan": f"plan:{old}"}, limit=1)[0]["inspectors"])
    for n in range(3):   # three 2026 plans: other qualified inspectors are free each time
        key = _one_firm_plan(author, firm, "2026-01-05", "2026-03-31")
        drawn = author.post(f"/api/v1/plans/{key}/draw").get_json()
        assert not old_team & set(drawn["tasks"][0]["inspectors"]), n
        with app.app_context():
            plan = registry().get(f"plan:{key}")
            history = pool_store.snapshot(registry(), plan, plan["author_region"])["history"]
        visit = [h for h in history if h["enterprise"] == firm]
        assert visit and visit[0]["counts_toward_cap"] is False   # last year's visit: no 2026 cap
    app.config["AVOID_REPEAT_DAYS"] = 30    # a short window no longer reaches back to 2025
    with app.app_context():
        assert not [h for h in pool_store.snapshot(registry(), plan, plan["author_region"])["history"]
                    if h["enterprise"] == firm]
