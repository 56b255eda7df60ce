"""Enterprises' avoidance applications (回避申请): recorded, decided once with a reason, audited; a granted one
keeps the inspector off the enterprise in later draws; API and console, with access by role and region."""
import re

from server import audit
from server.db import database
from tests.integration import lag
from tests.integration.helpers import race, race_codes
from tests.integration.test_plans import new_plan, world  # noqa: F401  (fixture)


def _apply(session, firm, person, reason="该执法人员曾在本企业任职", received="2026-11-30"):
    return session.post("/api/v1/avoidance-applications",
                        json={"enterprise": firm, "inspector": person, "reason": reason, "received_on": received})


def test_granted_application_is_recorded_audited_and_kept_by_the_draw(app, world):
    author, firm, person = world["author"], world["firms"][1]["uscc"], world["people"][3]["id"]
    res = _apply(author, firm, person)
    assert res.status_code == 201 and res.get_json()["status"] == "pending"
    key = res.get_json()["id"]
    for bad in ({"decision": "maybe", "reason": "理由充分"}, {"decision": "granted"}, {"decision": "granted", "reason": "x"},
                {"decision": "granted", "reason": "理由充分", "extra": 1}, {"decision": "granted", "reason": "长" * 600}):
        assert author.post(f"/api/v1/avoidance-applications/{key}/decision", json=bad).status_code == 422
    res = world["approver"].post(f"/api/v1/avoidance-applications/{key}/decision",
                                 json={"decision": "granted", "reason": "确有利害关系，同意回避"})
    assert res.status_code == 200 and res.get_json()["status"] == "granted" and res.get_json()["decided_by"] == "approver"
    again = author.post(f"/api/v1/avoidance-applications/{key}/decision", json={"decision": "refused", "reason": "改变主意"})
    assert again.status_code == 409
    avoid = author.get(f"/api/v1/inspectors/{person.split(':', 1)[1]}").get_json()["avoid"]
    assert [a["uscc"] for a in avoid] == [firm] and "企业申请回避" in avoid[0]["reason"]
    plan = new_plan(author)
    drawn = author.post(f"/api/v1/plans/{plan}/draw").get_json()
    assert all(person not in t["inspectors"] for t in drawn["tasks"] if t["enterprise"] == firm)
    assert {"inspector": person, "enterprise": firm, "reason": "avoidance"}.items() <= next(
        e for e in drawn["exclusions"] if e["inspector"] == person and e["enterprise"] == firm).items()
    with app.app_context():
        actions = [e["action"] for e in audit.entries_for(database("audit"), f"avoidance_application:{key}")]
        changed = [e for e in audit.entries_for(database("audit"), person) if e["action"] == "inspector.avoidance"]
    assert sorted(actions) == ["avoidance.apply", "avoidance.decide"]
    assert changed and changed[-1]["details"]["after"][0]["uscc"] == firm
    listed = author.get("/api/v1/avoidance-applications?status=granted").get_json()
    assert [a["id"] for a in listed["items"]] == [key] and listed["next"] is None


def test_a_grant_and_a_refusal_at_the_same_moment_record_one_decision(app, world, login):
    """Two supervisors deciding one application at once: one decision is kept, audited and acted on; the
    other is refused (409), on one server and on a CouchDB cluster alike (503 when no racer reaches a quorum)."""
    author, firm, person = world["author"], world["firms"][2]["uscc"], world["people"][4]["id"]
    key = _apply(author, firm, person).get_json()["id"]
    url = f"/api/v1/avoidance-applications/{key}/decision"
    decisions = ["granted"] * 3 + ["refused"] * 3
    windows = [login("supervisor", "370100", "approver") for _ in range(3)] + [author] + [
        login("supervisor", "370100", "author") for _ in range(2)]
    answers = race([lambda s=s, d=d: s.post(url, json={"decision": d, "reason": "同一时刻的两个决定"})
                    for s, d in zip(windows, decisions)])
    race_codes(app, answers, 200, once=True)
    won = next((a for a in answers if a.status_code == 200), None) or world["approver"].post(
        url, json={"decision": "granted", "reason": "无人决定成功，重新决定"})
    assert won.status_code == 200, won.get_json()
    decided = won.get_json()["status"]
    stored = lag.read_until(lambda: author.get(f"/api/v1/avoidance-applications/{key}").get_json(),
                            lambda doc: doc["status"] != "pending")
    assert stored["status"] == decided
    actions = lag.read_until(lambda: lag.audit_actions(app, f"avoidance_application:{key}"),
                             lambda found: "avoidance.decide" in found)
    assert actions.count("avoidance.decide") == 1, actions
    avoid = lag.read_until(lambda: author.get(f"/api/v1/inspectors/{person.split(':', 1)[1]}").get_json()["avoid"],
                           lambda found: (decided == "granted") == any(a["uscc"] == firm for a in found))
    assert (decided == "granted") == any(a["uscc"] == firm for a in avoid)


def test_bad_input_and_access(app, world, login):
    author, firm, person = world["author"], world["firms"][0]["uscc"], world["people"][1]["id"]
    for body in ({"enterprise": "123", "inspector": person, "reason": "理由充分", "received_on": "2026-11-30"},
                 {"enterprise": firm, "inspector": "inspector:zzz", "reason": "理由充分", "received_on": "2026-11-30"},
                 {"enterprise": firm, "inspector": person, "reason": "短", "received_on": "2026-11-30"},
                 {"enterprise": firm, "inspector": person, "reason": "理由充分", "received_on": "昨天"},
                 {"enterprise": firm, "inspector": person, "reason": "<script>" * 100, "received_on": "2026-11-30"},
                 {"enterprise": firm, "inspector": "inspector:000000000000", "reason": "理由充分", "received_on": "2026-11-30"}):
        assert author.post("/api/v1/avoidance-applications", json=body).status_code == 422, body
    key = _apply(author, firm, person).get_json()["id"]
    district = login("supervisor", "370112", "district")       # the enterprise's own district
    neighbour = login("supervisor", "370102", "neighbour")
    other_city = login("supervisor", "370200", "qingdao")
    anonymous, field = app.test_client(), login("inspector", "370102", "insp")
    assert anonymous.get("/api/v1/avoidance-applications").status_code == 401
    assert field.get("/api/v1/avoidance-applications").status_code == 403
    assert field.post("/api/v1/avoidance-applications", json={}).status_code == 403
    assert anonymous.post(f"/api/v1/avoidance-applications/{key}/decision", json={}).status_code in (401, 403)
    assert other_city.get(f"/api/v1/avoidance-applications/{key}").status_code == 404
    assert other_city.get("/api/v1/avoidance-applications").get_json()["items"] == []
    assert other_city.post(f"/api/v1/avoidance-applications/{key}/decision",
                           json={"decision": "refused", "reason": "不予回避理由"}).status_code == 404
    assert _apply(other_city, firm, person).status_code == 422
    assert world["firms"][0]["region"] == "370112"
    assert district.get(f"/api/v1/avoidance-applications/{key}").status_code == 200
    assert neighbour.get(f"/api/v1/avoidance-applications/{key}").status_code == 404
    admin = login("admin", "370000", "admin")
    assert admin.get(f"/api/v1/avoidance-applications/{key}").status_code == 200
    assert admin.get("/api/v1/avoidance-applications/../../x").status_code == 404
    assert admin.get("/api/v1/avoidance-applications?per_page=0").status_code == 422


def test_console_page_records_and_decides(app, world, login):
    author, firm, person = world["author"], world["firms"][2]["uscc"], world["people"][4]["id"]
    assert "/console/avoidance" in author.get("/console/inspectors").get_data(as_text=True)   # linked from there
    page = author.get("/console/avoidance").get_data(as_text=True)
    assert "企业回避申请" in page and "执法员4" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    res = author.post("/console/avoidance", data={"csrf_token": token, "enterprise": firm, "inspector": person,
                                                  "reason": "亲属在该企业任安全主管", "received_on": "2026-12-01"})
    assert res.status_code == 302 and "done=recorded" in res.headers["Location"]
    bad = author.post("/console/avoidance", data={"csrf_token": token, "enterprise": "x", "inspector": person,
                                                  "reason": "理由", "received_on": "2026-12-01"})
    assert bad.status_code == 422 and "请按提示修改" in bad.get_data(as_text=True)
    page = author.get("/console/avoidance?status=pending").get_data(as_text=True)
    key = re.search(r"/console/avoidance/([0-9a-z]{32})/decision", page).group(1)
    res = author.post(f"/console/avoidance/{key}/decision", data={"csrf_token": token, "decision": "refused",
                                                                 "reason": "无利害关系证据", "confirm": "on"})
    assert res.status_code == 302
    page = author.get("/console/avoidance").get_data(as_text=True)
    assert "不予回避" in page and "无利害关系证据" in page
    assert app.test_client().get("/console/avoidance").status_code == 302
    assert login("inspector", "370102", "insp").get("/console/avoidance").status_code in (302, 403)
    en = author.get("/console/avoidance", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "avoidance applications" in en
