"""The major-hazard database's API (issue 15 item 6): the list and statistics in scope, 挂牌督办, lifting
and measures as JSON, with the project's one error shape; who may call what."""
from __future__ import annotations

from tests.integration.lag import audit_entries as entries
from tests.integration.majors_fixtures import case_doc, in_days, make_case, set_state, supervise_form


def test_who_may_call_the_api(app, client, login):
    case = make_case(app)
    for method, url in (("get", "/api/v1/majors"), ("get", "/api/v1/majors/stats"),
                        ("post", f"/api/v1/majors/{case['key']}/supervision")):
        assert getattr(client, method)(url, json={}).status_code in (401, 403), url   # POST: CSRF first
        assert getattr(login("inspector", "370102"), method)(url, json={}).status_code == 403, url
    other = login("supervisor", "370200")
    assert other.get("/api/v1/majors").get_json()["items"] == []
    assert other.get("/api/v1/majors/stats?region=370102").status_code == 404
    res = other.post(f"/api/v1/majors/{case['key']}/supervision", json=supervise_form(app))
    assert res.status_code == 404 and res.get_json()["code"] == "not_found"
    assert case_doc(app, case).get("supervision") is None


def test_supervision_measures_and_lifting_as_json(app, login):
    case = make_case(app, source="report")
    sup = login("supervisor", "370100")
    listed = sup.get("/api/v1/majors?source=report").get_json()["items"]
    assert [(i["id"], i["source"], i["level"]) for i in listed] == [(case["key"], "report", None)]
    res = sup.post(f"/api/v1/majors/{case['key']}/supervision", json=supervise_form(app, "city"))
    assert res.status_code == 200 and res.get_json()["supervision"]["level"] == "city"
    assert sup.get("/api/v1/majors?level=city").get_json()["items"][0]["level"] == "city"
    res = sup.post(f"/api/v1/majors/{case['key']}/supervision", json=supervise_form(app, "province"))
    assert res.status_code == 403 and res.get_json()["code"] == "forbidden" and "省级" in res.get_json()["message"]
    res = sup.post(f"/api/v1/majors/{case['key']}/measures",
                   json={"kind": "exposure", "on": in_days(app, 0), "title": "曝光台", "text": "在本局网站曝光"})
    assert res.status_code == 201 and res.get_json()["escalations"][0]["kind"] == "exposure"
    assert sup.post(f"/api/v1/majors/{case['key']}/lift", json={"note": "未销号"}).status_code == 409
    set_state(app, case, "closed")
    res = sup.post(f"/api/v1/majors/{case['key']}/lift", json={"note": "复查合格"})
    assert res.status_code == 200 and res.get_json()["supervised"] is False
    assert [len(entries(app, a, count=1)) for a in ("major.supervise", "major.measure", "major.supervise_lift")] == [1, 1, 1]
    body = sup.get("/api/v1/majors/stats?year=2026").get_json()
    sources = {r["key"]: r for r in body["sources"]["rows"]}
    assert sources["report"]["major"] == 1 and body["sources"]["inspectors"]["major"] == 1


def test_malformed_json_gets_the_one_error_shape(app, login):
    case = make_case(app)
    sup = login("supervisor", "370100")
    for body in ({}, {"level": "city"}, {**supervise_form(app), "level": 3}, {**supervise_form(app), "x": 1},
                 {**supervise_form(app), "number": "号" * 61}, {**supervise_form(app), "deadline": "tomorrow"}):
        res = sup.post(f"/api/v1/majors/{case['key']}/supervision", json=body)
        assert res.status_code == 422 and res.get_json()["code"] == "validation", body
    res = sup.post(f"/api/v1/majors/{case['key']}/measures", json={"kind": "letter", "on": in_days(app, 0),
                                                                    "title": "函告"})
    assert res.status_code == 422 and "PDF" in res.get_json()["message"]
    assert sup.get("/api/v1/majors?cursor=abc").status_code == 422
    assert sup.get("/api/v1/majors?bogus=1").status_code == 422
    assert sup.post("/api/v1/majors/not-a-uuid/lift", json={"note": "复查合格"}).status_code == 404
    assert not entries(app, "major.supervise") and case_doc(app, case).get("supervision") is None
