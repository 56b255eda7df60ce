"""Cap exemptions by cause: complaint, referral and re-inspection checks do not count toward the annual
cap; accident- or penalty-driven checks do (and are still made when the enterprise is at its cap)."""
from server.db import registry
from tests.integration.test_plans import new_plan, rules, world  # noqa: F401  (fixture)

ONE_A_YEAR = {"default": {"1": 1, "2": 1, "3": 1, "none": 1}, "sectors": {}}


def _approved(world, **plan) -> str:
    key = new_plan(world["author"], **plan)
    assert world["author"].post(f"/api/v1/plans/{key}/draw").status_code == 201
    res = world["approver"].post(f"/api/v1/plans/{key}/approve")
    assert res.status_code == 200, res.get_json()
    return key


def _tasks(app, key):
    with app.app_context():
        return {t["enterprise"]: t for t in registry().find({"type": "task", "plan": f"plan:{key}"}, limit=100)}


def test_cause_decides_whether_a_targeted_check_counts(app, world):
    firms = [f["uscc"] for f in world["firms"]]
    targeted = {**rules(), "tiers": [], "caps": ONE_A_YEAR}
    complaint = _approved(world, rules={**targeted, "targeted": {"uscc": firms[:2], "cause": "complaint"}})
    accident = _approved(world, rules={**targeted, "targeted": {"uscc": firms[2:3], "cause": "accident"}})
    made = _tasks(app, complaint)
    assert [made[f]["counts_toward_cap"] for f in firms[:2]] == [False, False]
    assert made[firms[0]]["causes"] == ["complaint"]
    assert _tasks(app, accident)[firms[2]]["counts_toward_cap"] is True
    again = _approved(world, rules={**targeted, "targeted": {"uscc": firms[2:3], "cause": "penalty"}})
    assert _tasks(app, again)[firms[2]]["counts_toward_cap"] is True     # at its cap, yet made: it has a cause
    key = new_plan(world["author"], rules={**rules(), "tiers": [{"name": "全部", "proportion": 1.0}],
                                           "caps": ONE_A_YEAR})
    drawn = world["author"].post(f"/api/v1/plans/{key}/draw").get_json()
    visited = {t["enterprise"] for t in drawn["tasks"]}
    assert set(firms[:2]) <= visited and firms[2] not in visited          # complaints did not use the cap
    assert {"enterprise": firms[2], "reason": "annual_cap"}.items() <= next(
        s for s in drawn["skipped"] if s["enterprise"] == firms[2]).items()
    body = {"name": "原因不明", "period": {"start": "2026-10-01", "end": "2026-12-31"}, "approver": "approver",
            "rules": {**targeted, "targeted": {"uscc": firms[:1], "cause": "rumour"}}}
    assert world["author"].post("/api/v1/plans", json=body).status_code == 422
