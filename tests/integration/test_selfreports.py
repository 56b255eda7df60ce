"""Enterprise self-reports (企业自查) end to end over HTTP: the portal's self-inspection, hazards with photos and
plans, submission, the bureau's region-scoped review, accepted hazards as cases with source "self_report",
the rest of the loop on them, and who may see what (another enterprise: 404)."""
from __future__ import annotations

import re

from server.db import database, registry
from server.enterprise_portal import selfcheck, store
from tests.integration.enterprise_fixtures import company, hazard_form, portal_for, with_photos
from tests.integration.lag import audit_entries
from tests.integration.review_fixtures import jpeg


def _key(res) -> str:
    return re.search(r"/enterprise/selfchecks/([0-9a-f]{32})", res.headers["Location"]).group(1)


def _items(app, key: str) -> list[dict]:
    with app.app_context():
        report = store.load(key)
        return selfcheck.checklist_items(store.template_of(report), report["sector"])


def answered(app, browser, key: str, failing: str | None = None):
    items = _items(app, key)
    answers = {f"a:{i['key']}": "yes" for i in items}
    if failing:
        answers[f"a:{failing}"] = "no"
    return browser.post(f"/enterprise/selfchecks/{key}/answers", data=answers)


def submitted(app, login) -> dict:
    """An enterprise of 历下区 with a submitted self-report: one failing item and its hazard with a photo."""
    firm = company(app)
    sup = login("supervisor", "370100")
    browser = portal_for(app, sup, firm["uscc"])
    key = _key(browser.post("/enterprise/selfchecks"))
    failing = _items(app, key)[0]["key"]
    assert answered(app, browser, key, failing).status_code == 302
    res = browser.post(f"/enterprise/selfchecks/{key}/hazards", data=with_photos(hazard_form(item=failing)),
                       content_type="multipart/form-data")
    assert res.status_code == 302, res.get_data(as_text=True)[:3000]
    assert browser.post(f"/enterprise/selfchecks/{key}/submit").status_code == 302
    return {"firm": firm, "sup": sup, "browser": browser, "key": key}


def test_a_self_report_accepted_becomes_cases_of_the_register(app, login):
    s = submitted(app, login)
    sup, key = s["sup"], s["key"]
    queue = sup.get("/console/selfreports").get_data(as_text=True)
    assert s["firm"]["name"] in queue
    assert 'data-count="selfreports"><span class="n">1<' in sup.get("/console/").get_data(as_text=True)
    page = sup.get(f"/console/selfreports/{key}").get_data(as_text=True)
    assert "二号车间配电箱门损坏" in page and "/console/photos/" in page
    res = sup.post(f"/console/selfreports/{key}/decision", data={"decision": "accept"})
    assert res.status_code == 302
    with app.app_context():
        report = store.load(key)
        case = database("records").get(report["cases"][0])
        photo = database("records").get(case["photos"][0])
    assert report["status"] == "accepted"
    assert case["source"] == "self_report" and case["found_by"] == s["browser"].username
    assert case["inspection"] is None and case["self_report"] == f"selfreport:{key}" and case["state"] == "found"
    assert case["five_in_place"]["measures"] == "更换配电箱门并加锁" and photo["enterprise"] == s["firm"]["uscc"]
    assert 'data-count="found"><span class="n">1<' in sup.get("/console/").get_data(as_text=True)
    register = sup.get("/console/hazards").get_data(as_text=True)
    assert "二号车间配电箱门损坏" in register
    api = sup.get(f"/api/v1/hazards/{case['_id'][5:]}")
    assert api.status_code == 200 and api.get_json()["description"] == "二号车间配电箱门损坏，带电部位外露"
    export = sup.get("/api/v1/hazards/export?format=csv").get_data(as_text=True)
    assert "二号车间配电箱门损坏" in export and s["browser"].username in export
    case_page = sup.get(f"/console/hazards/{case['_id'][5:]}").get_data(as_text=True)
    assert "企业自查上报" in case_page and "/console/photos/" in case_page
    # a retry of the acceptance writes nothing new; the queue no longer lists it
    assert sup.post(f"/console/selfreports/{key}/decision", data={"decision": "accept"}).status_code == 302
    assert s["firm"]["name"] not in sup.get("/console/selfreports").get_data(as_text=True)
    actions = [e["action"] for e in audit_entries(app)]
    for action in ("selfreport.start", "selfreport.answers", "selfreport.hazard_add", "selfreport.submit",
                   "selfreport.accept"):
        assert action in actions


def test_the_loop_runs_on_a_self_reported_hazard_and_the_enterprise_sends_evidence(app, login):
    s = submitted(app, login)
    sup, browser, key = s["sup"], s["browser"], s["key"]
    sup.post(f"/console/selfreports/{key}/decision", data={"decision": "accept"})
    with app.app_context():
        case_key = store.load(key)["cases"][0][5:]
    res = sup.post(f"/console/hazards/{case_key}/order", data={"days": "5"})
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    with app.app_context():
        order = database("records").get(database("records").get(f"case:{case_key}")["order"])
    assert order["inspection"] is None and order["enterprise"] == s["firm"]["uscc"]
    document = sup.get(f"/console/documents/order/{order['_id'][6:]}.html")
    assert document.status_code == 200 and "二号车间配电箱门损坏" in document.get_data(as_text=True)
    assert browser.get(f"/console/documents/order/{order['_id'][6:]}.html").status_code == 403
    orders = browser.get("/enterprise/orders").get_data(as_text=True)
    assert "应急责改" in orders and "限期整改中" in orders
    page = browser.get(f"/enterprise/cases/{case_key}").get_data(as_text=True)
    assert "报送整改情况" in page
    empty = browser.post(f"/enterprise/cases/{case_key}/evidence", data={"text": "已更换"})
    assert empty.status_code == 422
    sent = browser.post(f"/enterprise/cases/{case_key}/evidence",
                        data=with_photos({"text": "已更换配电箱门并加锁"}, jpeg((30, 160, 60))),
                        content_type="multipart/form-data")
    assert sent.status_code == 302
    with app.app_context():
        case = database("records").get(f"case:{case_key}")
    assert case["state"] == "rectified" and case["rectification"]["by"] == browser.username
    staff_view = sup.get(f"/console/hazards/{case_key}").get_data(as_text=True)
    assert "已更换配电箱门并加锁" in staff_view
    twice = browser.post(f"/enterprise/cases/{case_key}/evidence",
                         data=with_photos({"text": "再次报送"}), content_type="multipart/form-data")
    assert twice.status_code == 409
    assert sup.post(f"/console/hazards/{case_key}/close", data={"note": "核实整改到位"}).status_code == 302
    assert "已销号" in browser.get(f"/enterprise/cases/{case_key}").get_data(as_text=True)


def test_returned_with_a_reason_and_submitted_again(app, login):
    s = submitted(app, login)
    sup, browser, key = s["sup"], s["browser"], s["key"]
    no_reason = sup.post(f"/console/selfreports/{key}/decision", data={"decision": "return", "reason": ""})
    assert no_reason.status_code == 422
    assert sup.post(f"/console/selfreports/{key}/decision",
                    data={"decision": "return", "reason": "照片看不清，请补拍"}).status_code == 302
    page = browser.get(f"/enterprise/selfchecks/{key}").get_data(as_text=True)
    assert "照片看不清，请补拍" in page and "已退回" in page
    assert browser.post(f"/enterprise/selfchecks/{key}/hazards/1/remove").status_code == 302
    assert browser.post(f"/enterprise/selfchecks/{key}/submit").status_code == 422   # the failing item lost its hazard
    failing = _items(app, key)[0]["key"]
    browser.post(f"/enterprise/selfchecks/{key}/hazards", data=with_photos(hazard_form(item=failing)),
                 content_type="multipart/form-data")
    assert browser.post(f"/enterprise/selfchecks/{key}/submit").status_code == 302
    assert sup.post(f"/console/selfreports/{key}/decision", data={"decision": "return", "reason": "x" * 5000}
                    ).status_code == 422


def test_who_sees_a_self_report(app, login, client):
    s = submitted(app, login)
    key = s["key"]
    other_firm = company(app, name="济南另一家机械有限公司")
    other = portal_for(app, s["sup"], other_firm["uscc"])
    assert other.get(f"/enterprise/selfchecks/{key}").status_code == 404
    assert other.post(f"/enterprise/selfchecks/{key}/submit").status_code == 404
    assert other.post(f"/enterprise/selfchecks/{key}/hazards/1/remove").status_code == 404
    with app.app_context():
        photo = store.load(key)["hazards"][0]["photos"][0].split(":", 1)[1]
    assert s["browser"].get(f"/enterprise/photos/{photo}/thumbnail").status_code == 200
    assert other.get(f"/enterprise/photos/{photo}/thumbnail").status_code == 404
    assert other.get(f"/console/selfreports/{key}").status_code == 403
    assert client.get(f"/console/selfreports/{key}").headers["Location"].startswith("/login")
    assert login("inspector", "370102").get(f"/console/selfreports/{key}").status_code == 403
    outsider = login("supervisor", "370200")
    assert outsider.get(f"/console/selfreports/{key}").status_code == 404
    assert outsider.post(f"/console/selfreports/{key}/decision", data={"decision": "accept"}).status_code == 404
    assert s["firm"]["name"] not in outsider.get("/console/selfreports").get_data(as_text=True)
    assert other.get("/enterprise/orders").status_code == 200
    s["sup"].post(f"/console/selfreports/{key}/decision", data={"decision": "accept"})
    with app.app_context():
        case_key = store.load(key)["cases"][0][5:]
    assert s["browser"].get(f"/enterprise/cases/{case_key}").status_code == 200
    assert other.get(f"/enterprise/cases/{case_key}").status_code == 404
    assert other.post(f"/enterprise/cases/{case_key}/evidence", data={"text": "冒充"}).status_code == 404
    assert s["firm"]["name"] not in other.get("/enterprise/orders").get_data(as_text=True)
    assert login("admin", "370000").get(f"/console/selfreports/{key}").status_code == 200
    assert login("supervisor", "370102", username="lixia.sup").get(f"/console/selfreports/{key}").status_code == 200


def test_an_enterprise_sees_its_orders_but_nothing_of_inspections_to_come(app, login):
    s = submitted(app, login)
    sup, browser, key = s["sup"], s["browser"], s["key"]
    sup.post(f"/console/selfreports/{key}/decision", data={"decision": "accept"})
    with app.app_context():
        case_id = store.load(key)["cases"][0]
        case = database("records").get(case_id)
        case.update(state="rectified", reinspection_task="task:secret:00001", team=["inspector:secret"])
        database("records").put(case)
        registry().put({"_id": "task:secret:00001", "type": "task", "enterprise": s["firm"]["uscc"],
                        "inspectors": ["inspector:secret"], "window": {"start": "2026-12-10", "end": "2026-12-20"}})
    for url in ("/enterprise/", "/enterprise/orders", f"/enterprise/cases/{case_id[5:]}"):
        body = browser.get(url).get_data(as_text=True)
        assert "secret" not in body and "2026-12-10" not in body, url


def test_hostile_and_malformed_input(app, login):
    firm = company(app)
    browser = portal_for(app, login("supervisor", "370100"), firm["uscc"])
    key = _key(browser.post("/enterprise/selfchecks"))
    assert _key(browser.post("/enterprise/selfchecks")) == key          # the open draft, not a second one
    url = f"/enterprise/selfchecks/{key}/hazards"

    def send(form, *photos):
        return browser.post(url, data=with_photos(form, *photos), content_type="multipart/form-data")
    assert send(hazard_form(deadline="2020-01-01")).status_code == 422                      # in the past
    assert send(hazard_form(deadline="not a date")).status_code == 422
    assert send(hazard_form(grade="major")).status_code == 422                              # no contingency plan
    assert send(hazard_form(description="长" * 5000)).status_code == 422
    assert send(hazard_form(item="no-such-item")).status_code == 422
    assert send(hazard_form(grade="catastrophic")).status_code == 422
    assert send(hazard_form(), b"<svg onload=alert(1)>").status_code == 422                 # not a JPEG
    assert send(hazard_form(), jpeg()[:200]).status_code == 422                              # cut short
    assert browser.post(url, data=hazard_form()).status_code == 422                          # no photo at all
    huge = send(hazard_form(), b"\xff\xd8" + b"\0" * (13 * 1024 * 1024))
    assert huge.status_code == 413 and 'role="alert"' in huge.get_data(as_text=True)   # said on the page
    assert send(hazard_form(), *[jpeg()] * 6).status_code == 422                             # too many
    with app.app_context():
        assert store.load(key)["hazards"] == []
        assert not database("records").find({"type": "photo", "self_report": f"selfreport:{key}"}, limit=5)
    script = "<script>alert('x')</script>"
    assert send(hazard_form(description=script)).status_code == 302
    page = browser.get(f"/enterprise/selfchecks/{key}").get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page
    assert browser.post(f"/enterprise/selfchecks/{key}/answers", data={"a:nope": "yes"}).status_code == 422
    first = _items(app, key)[0]["key"]
    assert browser.post(f"/enterprise/selfchecks/{key}/answers", data={f"a:{first}": "maybe"}).status_code == 422
    assert browser.post(f"/enterprise/selfchecks/{key}/submit").status_code == 422           # unanswered items
    assert browser.get("/enterprise/selfchecks/../../console").status_code in (403, 404)
    assert browser.get("/enterprise/selfchecks/" + "f" * 32).status_code == 404
    assert browser.get("/enterprise/cases/not-a-uuid").status_code == 404
    assert browser.get("/enterprise/photos/x/original").status_code == 404
