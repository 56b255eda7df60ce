"""Region checks on the paths that send people (issue 14: re-inspection accepted inspectors of another
county), and one answer (404) for objects out of scope or unknown."""
from __future__ import annotations

import pytest

from server.db import registry
from tests.integration.review_fixtures import OTHER, TEAM, submit, world

H = "/api/v1/hazards"


@pytest.fixture
def approved_case(app, login):
    w = world(app)
    filed = submit(app, w)
    sup = login("supervisor", "370100")
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    general = filed["hazards"][0]["_id"].split(":", 1)[1]
    assert sup.post("/api/v1/orders", json={"inspection": filed["key"],
                                            "items": [{"case": general, "days": 5}]}).status_code == 201
    assert sup.post(f"{H}/{general}/rectify", json={"text": "已整改完毕"}).status_code == 200
    return {"sup": sup, "general": general, "filed": filed}


def _move(app, person: str, region: str) -> None:
    with app.app_context():
        doc = registry().get(person)
        registry().put({**doc, "region": region})


def test_reinspection_refuses_an_inspector_of_another_county(app, approved_case):
    sup, g = approved_case["sup"], approved_case["general"]
    _move(app, OTHER, "370103")                      # 市中区, not 历下区 where the case is
    res = sup.post(f"{H}/{g}/reinspection", json={"cases": [g], "inspectors": [TEAM[0], OTHER]})
    assert res.status_code == 422, res.get_json()
    assert "王强" in res.get_json()["errors"]["inspectors"][0]
    assert sup.get(f"{H}/{g}").get_json()["state"] == "rectified"   # nothing moved


def test_reinspection_accepts_the_county_and_the_bureaus_above_it(app, approved_case):
    sup, g = approved_case["sup"], approved_case["general"]
    _move(app, OTHER, "370100")                      # the city bureau may send its own inspector
    res = sup.post(f"{H}/{g}/reinspection", json={"cases": [g], "inspectors": [TEAM[0], OTHER]})
    assert res.status_code in (200, 201), res.get_json()


def test_out_of_scope_writes_answer_like_unknown_ones(app, login, approved_case):
    g, key = approved_case["general"], approved_case["filed"]["key"]
    outsider = login("supervisor", "370200")
    unknown = "00000000-0000-4000-8000-000000000000"
    for path, body in ((f"{H}/{g}/close", {"note": "x"}), (f"{H}/{g}/reinspection", {"cases": [g], "inspectors": TEAM}),
                       (f"{H}/{g}/order", {"days": 5}), (f"/api/v1/inspections/{key}/review", {"decision": "approved"})):
        mine, theirs = outsider.post(path, json=body), outsider.post(path.replace(g, unknown).replace(key, unknown), json=body)
        assert (mine.status_code, mine.get_json()["code"]) == (theirs.status_code, theirs.get_json()["code"]) == (404, "not_found"), path
    order = outsider.post("/api/v1/orders", json={"inspection": key, "items": [{"case": g, "days": 5}]})
    assert order.status_code == 404
    assert approved_case["sup"].get(f"{H}/{g}").get_json()["state"] == "rectified"
