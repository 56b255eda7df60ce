"""执法证 validity: an expired certificate is never drawn nor assigned; one expiring soon is flagged."""
from datetime import timedelta

from server import clock
from server.db import registry
from tests.integration.test_plans import new_plan, world  # noqa: F401  (fixture)


def _key(ident: str) -> str:
    return ident.split(":", 1)[1]


def test_expired_certificate_is_not_drawn_and_expiring_one_is_flagged(app, world):
    author, approver = world["author"], world["approver"]
    people = world["people"]
    expired, expiring = people[2], people[3]
    for bad in ("2026-13-01", "明天", 12345, "1900-01-01", "2026-1-5", "x" * 5000):
        res = author.patch(f"/api/v1/inspectors/{_key(expired['id'])}", json={"cert_expires": bad})
        assert res.status_code == 422, bad
    yesterday, in_ten = (clock.today() - timedelta(days=1)).isoformat(), (clock.today() + timedelta(days=10)).isoformat()
    res = author.patch(f"/api/v1/inspectors/{_key(expired['id'])}", json={"cert_expires": yesterday})
    assert res.status_code == 200 and res.get_json()["cert_status"] == "expired"
    res = author.patch(f"/api/v1/inspectors/{_key(expiring['id'])}", json={"cert_expires": in_ten})
    assert res.get_json()["cert_status"] == "expiring" and res.get_json()["avoid"] == expiring["avoid"]
    key = new_plan(author)
    drawn = author.post(f"/api/v1/plans/{key}/draw").get_json()
    assert all(expired["id"] not in t["inspectors"] for t in drawn["tasks"])
    assert {"inspector": expired["id"], "enterprise": None, "kind": "inspector", "reason": "certificate_expired"} \
        in drawn["exclusions"]
    assert any(expiring["id"] in t["inspectors"] for t in drawn["tasks"]) or len(drawn["tasks"]) < 4
    assert author.get(f"/api/v1/plans/{key}/draws/1/verify").get_json()["identical"] is True
    assert approver.post(f"/api/v1/plans/{key}/approve").status_code == 200
    with app.app_context():
        task = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=1)[0]
    team = [task["inspectors"][0], expired["id"]]
    res = author.post(f"/api/v1/tasks/{_key(task['_id'])}/reassign", json={"inspectors": team, "reason": "人员调整"})
    assert res.status_code == 422 and "执法证" in str(res.get_json())
    page = author.get("/console/inspectors").get_data(as_text=True)
    assert f"已过期（{yesterday}）" in page and f"10 天后到期（{in_ten}）" in page
    assert "1 人执法证已过期，1 人将在 30 天内到期" in page
    en = author.get("/console/inspectors", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Expires in 10 days" in en
