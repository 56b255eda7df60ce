"""The review API on a real CouchDB: queue and filters, one inspection, decisions and their consequences."""
import threading

import pytest

from server import audit
from server.db import database, registry
from tests.integration.lag import read_until
from tests.integration.review_fixtures import TEAM, submit, world
from tests.integration.worker_fixtures import records, run_worker

Q = "/api/v1/inspections"


@pytest.fixture
def filed(app):
    w = world(app)
    return {"world": w, **submit(app, w)}


def test_the_queue_lists_pending_inspections_in_scope_only(app, login, filed):
    w = world(app, region="370202", name="青岛某化工有限公司")
    submit(app, w)
    jinan, lixia, qingdao = login("supervisor", "370100"), login("supervisor", "370102"), login("supervisor", "370200")
    province, admin = login("supervisor", "370000"), login("admin", "110000")
    key = filed["key"]
    for session in (jinan, lixia, province, admin):
        ids = [i["id"] for i in session.get(Q).get_json()["items"]]
        assert key in ids, session.username
    assert [i["id"] for i in qingdao.get(Q).get_json()["items"]] != [] and key not in [
        i["id"] for i in qingdao.get(Q).get_json()["items"]]
    item = next(i for i in jinan.get(Q).get_json()["items"] if i["id"] == key)
    assert item["enterprise_name"] == filed["world"]["name"] and item["hazards"] == {"general": 1, "major": 1}
    assert item["verdict"] == "ok" and item["review_status"] == "pending" and item["sector"] == "machinery"
    assert lixia.get(Q + "?region=370202").get_json()["items"] == []      # a filter never widens the scope
    assert jinan.get(Q + "?region=370202").get_json()["items"] == []


@pytest.mark.parametrize("role", ["inspector", "expert"])
def test_field_staff_and_anonymous_cannot_use_the_review_api(app, client, login, filed, role):
    session = login(role, "370102")
    key = filed["key"]
    assert session.get(Q).status_code == 403
    assert session.get(f"{Q}/{key}").status_code == 403
    assert session.post(f"{Q}/{key}/review", json={"decision": "approved"}).status_code == 403
    assert client.get(Q).status_code == 401
    assert client.get(f"{Q}/{key}").status_code == 401


def test_one_inspection_shows_evidence_hazards_and_reviews_in_scope_only(app, login, filed):
    key = filed["key"]
    body = login("supervisor", "370100").get(f"{Q}/{key}").get_json()
    assert body["checkin_verdict"]["overall"] == "ok" and body["checkin_verdict"]["distance_m"] is not None
    assert body["team"] == TEAM and len(body["hazard_list"]) == 2 and body["reviews"] == []
    assert {h["case"]["state"] for h in body["hazard_list"]} == {"found"}
    assert body["signatures"][0]["attachment"] == "signature-inspector.png" and body["rev"]
    other = login("supervisor", "370200")
    assert other.get(f"{Q}/{key}").status_code == 404
    assert other.post(f"{Q}/{key}/review", json={"decision": "approved"}).status_code == 404  # like unknown
    for bad in ("nope", "0" * 36, "../../_all_docs", key.upper()):
        assert login("supervisor", "370100").get(f"{Q}/{bad}").status_code == 404


def test_a_version_from_another_device_that_lost_is_shown_beside_the_record(app, login, filed):
    """Two devices of the same account edited the record; the one CouchDB's rule did not pick is listed on
    the record (API and page) with what differs, and only to supervisors who may see the record."""
    mine = filed["db"].get(filed["inspection"]["_id"])
    start, *ids = mine["_rev"].split("-")
    parent = filed["db"].get(mine["_id"], revs=True)["_revisions"]["ids"][1]
    other = {k: v for k, v in mine.items() if k not in ("_attachments", "_revisions")}
    other.update(_rev=f"{start}-{'0' * 32}", _revisions={"start": int(start), "ids": ["0" * 32, parent]},
                 place="东门（另一台设备）", answers=[{"item": "fire-6-5", "value": "yes", "note": ""}])
    filed["db"].bulk_docs([other], new_edits=False)
    run_worker(app)
    key = filed["key"]
    body = login("supervisor", "370100").get(f"{Q}/{key}").get_json()
    assert body.get("place") != "东门（另一台设备）" and body["rev"] == mine["_rev"]        # the winner stays filed
    assert [(c["rev"], c["fields"], c["answers"]) for c in body["conflicts"]] == [
        (other["_rev"], ["place"], ["fire-6-5"])]
    page = login("supervisor", "370100").get(f"/console/review/{key}").get_data(as_text=True)
    assert "未采用的版本（1）" in page and other["_rev"] in page
    assert "符合" in page.split('data-t="conflicts"')[1].split("</section>")[0]        # the lost answer, in words
    assert login("supervisor", "370200").get(f"/console/review/{key}").status_code == 404


def test_filters_and_paging_by_cursor(app, login):
    w = world(app)
    made = [submit(app, w, grades=("major",) if n % 3 == 0 else ("general",), photos=False)["key"]
            for n in range(7)]
    sup = login("supervisor", "370100")
    # the queue reads one copy of each shard: on a cluster, wait (bounded) until it shows the seven
    read_until(lambda: sup.get(Q + "?limit=50").get_json()["items"], lambda items: len(items) >= 7)
    seen, cursor, pages = [], None, 0
    while True:
        page = sup.get(Q + "?limit=3" + (f"&cursor={cursor}" if cursor else "")).get_json()
        seen += [(i["submitted_at"], i["id"]) for i in page["items"]]
        cursor, pages = page["next"], pages + 1
        if not cursor:
            break
    assert sorted(i for _, i in seen) == sorted(made) and len(seen) == 7 and pages == 3
    assert seen == sorted(seen)                            # oldest first, each once
    majors = {i["id"] for i in sup.get(Q + "?major=true").get_json()["items"]}
    assert majors == {made[0], made[3], made[6]}
    assert len(sup.get(Q + "?major=false").get_json()["items"]) == 4
    assert len(sup.get(Q + f"?plan={w['plan']}&sector=machinery&verdict=ok").get_json()["items"]) == 7
    assert sup.get(Q + "?sector=coal_mine").get_json()["items"] == []
    assert sup.get(Q + "?verdict=warning").get_json()["items"] == []
    assert sup.get(Q + "?from=2020-01-01&to=2020-12-31").get_json()["items"] == []
    assert sup.get(Q + "?review_status=approved").get_json()["items"] == []
    assert len(sup.get(Q + "?review_status=all&region=370102").get_json()["items"]) == 7


@pytest.mark.parametrize("query", ["review_status=bogus", "region=3701x", "region=12345", "plan=plan:xyz",
                                   "from=2026-13-01", "from=2026-05-01&to=2026-04-01", "limit=0", "limit=100000",
                                   "major=perhaps", "verdict=<script>", "cursor=" + "A" * 700, "cursor=bm90IGpzb24",
                                   "cursor=WyJxIiwiKiIsIiIsIiIsIiJd", "sneaky=1"])
def test_bad_queue_filters_are_refused_with_a_reason(app, login, query):
    res = login("supervisor", "370100").get(f"{Q}?{query}")
    assert res.status_code == 422, (query, res.get_json())
    assert res.get_json()["code"] == "validation" and res.get_json()["message"]


def test_return_with_comments_reaches_the_phone_and_the_correction_comes_back(app, login, filed):
    key, db = filed["key"], filed["db"]
    sup = login("supervisor", "370100")
    item = filed["inspection"]["answers"][0]["item"]
    res = sup.post(f"{Q}/{key}/review", json={"decision": "returned", "comments": "请补拍安全出口照片",
                                               "items": {item: "照片不清楚"}})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["review_status"] == "returned" and res.get_json()["reviews"][0]["by"] == sup.username
    run_worker(app)
    delivered = db.get(f"review:{filed['inspection']['_id']}")
    assert delivered["decision"] == "returned" and delivered["items"] == {item: "照片不清楚"}
    assert filed["db"].name.endswith(TEAM[0][10:])
    phone = db.get(filed["inspection"]["_id"])
    db.put({**phone, "place": "补拍后", "corrects": f"review:{filed['inspection']['_id']}:1"})
    run_worker(app)
    assert sup.get(f"{Q}/{key}").get_json()["review_status"] == "pending"
    res = sup.post(f"{Q}/{key}/review", json={"decision": "approved", "rev": phone["_rev"]})
    assert res.status_code == 409          # the reviewer read an older revision than the one filed
    current = sup.get(f"{Q}/{key}").get_json()["rev"]
    res = sup.post(f"{Q}/{key}/review", json={"decision": "approved", "rev": current})
    assert res.status_code == 200 and res.get_json()["number"] == "(济南)应急检记〔2026〕1号"
    assert [r["decision"] for r in res.get_json()["reviews"]] == ["returned", "approved"]
    with app.app_context():
        actions = [e["action"] for e in audit.entries_for(database("audit"), filed["inspection"]["_id"])]
    assert actions.count("review.returned") == 1 and actions.count("review.approved") == 1


def test_approval_of_a_random_check_publishes_its_result(app, login, filed):
    sup = login("supervisor", "370102")
    assert sup.post(f"{Q}/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    with app.app_context():
        task = registry().get(filed["world"]["task"]["_id"])
        public = database("public").get(f"result:{task['_id'][5:]}")
    assert task["status"] == "published" and task["result"]["hazards_major"] == 1
    assert public["outcome"] == "problems_found" and public["hazards"] == {"general": 1, "major": 1}
    assert "inspectors" not in public and TEAM[0] not in str(public)
    # the city's plan: the case is the city bureau's whoever approves it (one issuing authority, decision 0013)
    assert records(app).get(filed["inspection"]["_id"])["number"] == "(济南)应急检记〔2026〕1号"
    assert sup.post(f"{Q}/{filed['key']}/review", json={"decision": "rejected", "reason": "再次决定"}).status_code == 409


def test_rejection_needs_a_reason_and_voids_the_hazard_cases(app, login, filed):
    sup = login("supervisor", "370100")
    key = filed["key"]
    assert sup.post(f"{Q}/{key}/review", json={"decision": "rejected"}).status_code == 422
    res = sup.post(f"{Q}/{key}/review", json={"decision": "rejected", "reason": "检查人员不足两人，记录无效"})
    assert res.status_code == 200 and res.get_json()["review_status"] == "rejected"
    for h in filed["hazards"]:
        case = records(app).get("case:" + h["_id"][7:])
        assert case["state"] == "void" and case["history"][-1]["note"] == "检查人员不足两人，记录无效"
    assert sup.get("/api/v1/hazards").get_json()["items"] == []            # the register leaves void cases out
    assert len(sup.get("/api/v1/hazards?state=void").get_json()["items"]) == 2


@pytest.mark.parametrize("body", [
    {"decision": "approved", "sneaky": True},
    {"decision": "maybe"},
    {},
    {"decision": "returned"},
    {"decision": "returned", "comments": "字" * 2001},
    {"decision": "returned", "items": {"no-such-item": "意见"}},
    {"decision": "returned", "items": {"bad key!": "意见"}},
    {"decision": "returned", "comments": "ok", "items": {f"k{n}": "x" for n in range(201)}},
    {"decision": "approved", "rev": "not-a-rev"},
    {"decision": "rejected", "reason": "a\x00b\x01c\x02"},
    [1, 2],
])
def test_hostile_decisions_are_refused_and_change_nothing(app, login, filed, body):
    sup = login("supervisor", "370100")
    res = sup.post(f"{Q}/{filed['key']}/review", json=body)
    assert res.status_code == 422, (body, res.get_json())
    assert sup.get(f"{Q}/{filed['key']}").get_json()["review_status"] == "pending"


def test_script_in_comments_is_kept_as_text(app, login, filed):
    sup = login("supervisor", "370100")
    res = sup.post(f"{Q}/{filed['key']}/review", json={"decision": "returned",
                                                       "comments": "<script>alert(1)</script>请改"})
    assert res.status_code == 200 and res.get_json()["review"]["comments"] == "<script>alert(1)</script>请改"
    page = sup.get(f"/console/review/{filed['key']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;请改" in page


def test_of_two_decisions_at_once_only_one_is_stored(app, login, filed):
    sessions = [login("supervisor", "370100", f"sup{n}") for n in range(4)]
    decisions = ["approved", "returned", "rejected", "approved"]
    results = []

    def decide(session, decision):
        body = {"decision": decision, "comments": "并发", "reason": "并发驳回"}
        results.append(session.post(f"{Q}/{filed['key']}/review", json=body).status_code)

    threads = [threading.Thread(target=decide, args=pair) for pair in zip(sessions, decisions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409, 409, 409], results
    rows = records(app).all_docs(startkey=f"review:{filed['inspection']['_id']}:",
                                 endkey=f"review:{filed['inspection']['_id']}:\ufff0")
    assert [r["id"][-2:] for r in rows] == [":1"]


def test_a_team_member_cannot_review_their_own_inspection(app, login, make_user, filed):
    make_user("teamsup", "supervisor", "370100", inspector_id=TEAM[1])
    from tests.integration.conftest import Session
    res = Session(app, "teamsup").post(f"{Q}/{filed['key']}/review", json={"decision": "approved"})
    assert res.status_code == 403
