"""A report's verification on a real CouchDB: the targeted, secret task made and dispatched to the team's
phones (and nobody else's) without anything about the reporter, the verdict from the approved inspection
or from the supervisor, cases with source "report", who may do what, races and hostile input."""
import json

import pytest

from server.db import database, registry
from tests.integration.helpers import race, race_codes
from tests.integration.lag import audit_actions, read_until
from tests.integration.report_fixtures import IDENTITY_MARK, RECEIPT_MARK, SALT_MARK, key_of, report, verifying_report
from tests.integration.review_fixtures import OTHER, TEAM, submit, world
from tests.integration.worker_fixtures import phone_db

SECRETS = (IDENTITY_MARK, RECEIPT_MARK, SALT_MARK, "insider", "receipt", "identity")


def open_form(sup, key, inspectors=TEAM, **more):
    return sup.post(f"/console/reports/{key}/verify",
                    data={"inspectors": inspectors, "window_days": "7", "csrf_token": sup.csrf, **more})



@pytest.fixture
def opened(app, login):
    w = world(app)
    doc = verifying_report(app, w)
    sup = login("supervisor", "370100")
    res = open_form(sup, key_of(doc))
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    stored = report(app, doc["_id"])
    with app.app_context():
        task = registry().get(stored["verification"]["task"])
    return {"w": w, "sup": sup, "report": stored, "task": task}


def test_the_task_is_targeted_outside_the_cap_with_the_sector_checklist_and_reaches_only_the_team(app, opened):
    task, stored = opened["task"], opened["report"]
    assert stored["status"] == "verifying" and stored["verification"]["by"] == "supervisor370100"
    assert task["kind"] == "report_verification" and task["random"] is False and task["counts_toward_cap"] is False
    assert task["inspectors"] == TEAM and task["report"] == stored["_id"] and task["status"] == "dispatched"
    assert task["checklist"].startswith("checklist:industry_trade_major:")   # machinery's sector template
    with app.app_context():
        plan = registry().get(task["plan"])
    assert plan["kind"] == "report_verification" and plan["author_region"] == "370100"
    on_phone = phone_db(app, TEAM[0]).get(task["_id"])
    assert on_phone["kind"] == "report_verification" and on_phone["checklist"] == task["checklist"]
    assert on_phone["report_check"]["text"].startswith("二号车间夜班") and on_phone["report_check"]["photos"] == 1
    assert phone_db(app, OTHER).get_or_none(task["_id"]) is None
    assert audit_actions(app, stored["_id"], 1) == ["report.verify"]


def test_the_phone_database_holds_nothing_about_the_reporter(app, opened):
    for member in TEAM:
        rows = phone_db(app, member).all_docs(include_docs=True)
        dumped = json.dumps([r["doc"] for r in rows], ensure_ascii=False)
        assert opened["task"]["_id"] in dumped
        for secret in SECRETS:
            assert secret not in dumped, secret
        assert opened["report"]["_id"] not in dumped   # not even which report it is
    with app.app_context():
        stored_task = json.dumps(registry().get(opened["task"]["_id"]), ensure_ascii=False)
    assert IDENTITY_MARK not in stored_task and RECEIPT_MARK not in stored_task and "insider" not in stored_task


def test_a_second_opening_is_refused_and_makes_no_second_task(app, opened):
    res = open_form(opened["sup"], key_of(opened["report"]))
    assert res.status_code == 409
    with app.app_context():
        tasks = registry().find({"type": "task", "report": opened["report"]["_id"]}, limit=10)
    assert len(tasks) == 1


def test_hazards_found_and_approved_make_the_report_true_with_report_cases(app, opened, login):
    task, stored = opened["task"], opened["report"]
    filed = submit(app, opened["w"], task=task)
    with app.app_context():
        case = database("records").get("case:" + filed["hazards"][0]["_id"].split(":", 1)[1])
        hazard = database("records").get(filed["hazards"][0]["_id"])
    assert case["source"] == "report" and case["report"] == stored["_id"]
    assert hazard["task_kind"] == "report_verification"
    assert report(app, stored["_id"])["status"] == "verifying"        # pending review: nothing decided yet
    checker = login("supervisor", "370100", username="checker")
    res = checker.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"})
    assert res.status_code == 200, res.get_json()
    done = report(app, stored["_id"])
    assert done["status"] == "verified_true" and done["outcome"]["result"] == "true"
    assert sorted(done["outcome"]["cases"]) == sorted("case:" + h["_id"].split(":", 1)[1] for h in filed["hazards"])
    assert "属实" in done["outcome"]["public_text_zh"] and "found" in done["outcome"]["public_text_en"]
    for name in ("张伟", "李娜", opened["w"]["name"], "supervisor370100", "checker"):
        assert name not in done["outcome"]["public_text_zh"] + done["outcome"]["public_text_en"]
    assert audit_actions(app, stored["_id"], 2) == ["report.verify", "report.outcome"]
    page = opened["sup"].get(f"/console/reports/{key_of(stored)}/verify").get_data(as_text=True)
    assert "经核查属实" in page and IDENTITY_MARK not in page and RECEIPT_MARK not in page


def test_an_approved_check_without_hazards_makes_the_report_not_true(app, opened, login):
    filed = submit(app, opened["w"], grades=(), task=opened["task"])
    checker = login("supervisor", "370100", username="checker")
    assert checker.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    done = report(app, opened["report"]["_id"])
    assert done["status"] == "verified_false" and done["outcome"]["cases"] == []


def test_ordinary_inspections_keep_source_inspection(app, login):
    w = world(app)
    filed = submit(app, w)
    with app.app_context():
        case = database("records").get("case:" + filed["hazards"][0]["_id"].split(":", 1)[1])
    assert case["source"] == "inspection" and "report" not in case


def test_the_supervisor_records_a_verdict_once(app, opened):
    sup, key = opened["sup"], key_of(opened["report"])
    bad = sup.post(f"/console/reports/{key}/outcome", data={"result": "maybe", "note": "现场已整改", "csrf_token": sup.csrf})
    assert bad.status_code == 422
    short = sup.post(f"/console/reports/{key}/outcome", data={"result": "false", "note": "x", "csrf_token": sup.csrf})
    assert short.status_code == 422
    ok = sup.post(f"/console/reports/{key}/outcome",
                  data={"result": "false", "note": "企业已停产，现场未见所述情况", "csrf_token": sup.csrf})
    assert ok.status_code == 302
    assert report(app, opened["report"]["_id"])["status"] == "verified_false"
    again = sup.post(f"/console/reports/{key}/outcome", data={"result": "true", "note": "再次记录结论", "csrf_token": sup.csrf})
    assert again.status_code == 409
    assert audit_actions(app, opened["report"]["_id"], 2) == ["report.verify", "report.outcome"]


def test_verdicts_recorded_at_the_same_moment_keep_one(app, login, opened):
    """Supervisors recording opposite verdicts on one report at once: one is kept and audited, the others are
    refused (409; 503 on a cluster when no racer reaches a quorum), never two outcomes on record."""
    key = key_of(opened["report"])
    windows = [opened["sup"]] + [login("supervisor", "370100") for _ in range(3)]
    results = ["false", "true", "false", "true"]
    answers = race([lambda s=s, r=r: s.post(f"/console/reports/{key}/outcome",
                                            data={"result": r, "note": "同一时刻记录的结论", "csrf_token": s.csrf})
                    for s, r in zip(windows, results)])
    codes = race_codes(app, answers, 302, once=True)
    if 302 not in codes:            # no racer reached a quorum: nothing was kept, the verdict is recorded now
        codes, results = [windows[0].post(f"/console/reports/{key}/outcome", data={
            "result": "false", "note": "同一时刻记录的结论", "csrf_token": windows[0].csrf}).status_code], ["false"]
    kept = results[codes.index(302)]
    stored = read_until(lambda: report(app, opened["report"]["_id"]), lambda doc: doc.get("outcome"))
    assert stored["outcome"]["result"] == kept and stored["status"] == f"verified_{kept}"
    assert audit_actions(app, opened["report"]["_id"], 2) == ["report.verify", "report.outcome"]


def test_who_may_open_and_see(app, client, login):
    w = world(app)
    doc = verifying_report(app, w)
    key = key_of(doc)
    path = f"/console/reports/{key}/verify"
    assert client.get(path).status_code == 302 and "/login" in client.get(path).headers["Location"]
    assert client.post(path, data={"inspectors": TEAM}).status_code in (302, 401, 403)
    inspector = login("inspector", "370102")
    assert inspector.get(path).status_code in (302, 403)
    assert open_form(inspector, key).status_code == 403
    other = login("supervisor", "370200")
    assert other.get(path).status_code == 404 and open_form(other, key).status_code == 404
    assert login("supervisor", "370100").get("/console/reports/" + "0" * 32 + "/verify").status_code == 404
    admin = login("admin", "370000")
    page = admin.get(path)
    assert page.status_code == 200 and "二号车间夜班" in page.get_data(as_text=True)
    assert IDENTITY_MARK not in page.get_data(as_text=True)
    assert open_form(admin, key).status_code == 302
    assert report(app, doc["_id"])["verification"]["by"] == "admin370000"


@pytest.mark.parametrize("form", [
    {"inspectors": [TEAM[0]]},                                          # one person is not a team
    {"inspectors": [TEAM[0], "inspector:zzzzzzzzzzzz"]},               # not an identifier
    {"inspectors": [TEAM[0], "inspector:" + "d" * 12]},                # nobody
    {"inspectors": TEAM, "window_days": "0"},
    {"inspectors": TEAM, "window_days": "9" * 40},
    {"inspectors": TEAM * 6},
    {"inspectors": TEAM, "enterprise": "<script>"},
])
def test_hostile_team_forms_are_refused_and_nothing_is_made(app, login, form):
    w = world(app)
    doc = verifying_report(app, w)
    sup = login("supervisor", "370100")
    res = sup.post(f"/console/reports/{key_of(doc)}/verify", data={**form, "csrf_token": sup.csrf})
    assert res.status_code == 422, res.status_code
    assert report(app, doc["_id"])["verification"] is None
    with app.app_context():
        assert registry().find({"type": "task", "report": doc["_id"]}, limit=5) == []


def test_avoidance_and_other_regions_are_refused(app, login):
    w = world(app)
    doc = verifying_report(app, w)
    with app.app_context():
        person = registry().get(TEAM[1])
        person["avoid"] = [{"uscc": w["uscc"], "reason": "亲属在该企业任职"}]
        registry().put(person)
    sup = login("supervisor", "370100")
    res = open_form(sup, key_of(doc))
    assert res.status_code == 422 and "回避" in res.get_data(as_text=True)
    assert TEAM[1] not in sup.get(f"/console/reports/{key_of(doc)}/verify").get_data(as_text=True)


def test_a_report_without_a_registered_enterprise_needs_one_named(app, login):
    w = world(app)
    doc = verifying_report(app, w, enterprise=None, site=None, enterprise_name="东门外小作坊")
    sup = login("supervisor", "370100")
    assert open_form(sup, key_of(doc)).status_code == 422
    assert open_form(sup, key_of(doc), enterprise="91370102MA3C00000X").status_code == 422   # not registered
    assert open_form(sup, key_of(doc), enterprise=w["uscc"]).status_code == 302
    assert report(app, doc["_id"])["verification"]["enterprise"] == w["uscc"]


def test_a_dispatch_that_fails_leaves_no_dangling_task_and_the_report_can_be_sent_again(app, login, monkeypatch):
    from server.reports import verification
    w = world(app)
    doc = verifying_report(app, w)
    with app.app_context():
        sup = {"username": "sup", "role": "supervisor", "region": "370100"}

        def unreachable(tasks, plan):
            raise ConnectionError("CouchDB went away while writing the phones")
        monkeypatch.setattr(verification, "dispatch_tasks", unreachable)
        with pytest.raises(ConnectionError):
            verification.open_verification(report(app, doc["_id"]), sup, TEAM)
        stored = report(app, doc["_id"])
        assert stored["verification"]["task"] is None and stored["status"] == "verifying"
        failed = stored["verification"]["failed_task"]
        assert registry().get(failed)["status"] == "cancelled"
        monkeypatch.undo()
        again = verification.open_verification(stored, sup, TEAM)
    assert again["verification"]["task"] not in (None, failed) and again["status"] == "verifying"


def test_the_triage_may_open_without_a_team_and_the_page_then_asks_for_one(app, login):
    from server.reports import verification
    w = world(app)
    doc = verifying_report(app, w, status="received", triage=None)
    with app.app_context():
        saved = verification.open_verification(report(app, doc["_id"]), {"username": "triager", "role": "supervisor",
                                                                          "region": "370100"}, None)
    assert saved["status"] == "verifying" and saved["verification"]["task"] is None
    assert report(app, doc["_id"])["verification"]["by"] == "triager"
    sup = login("supervisor", "370100")
    assert 'data-t="open-form"' in sup.get(f"/console/reports/{key_of(doc)}/verify").get_data(as_text=True)
    assert open_form(sup, key_of(doc)).status_code == 302
    assert audit_actions(app, doc["_id"], 1) == ["report.verify"]


def test_two_supervisors_opening_at_once_make_one_task(app, login):
    import threading
    w = world(app)
    doc = verifying_report(app, w)
    people = [login("supervisor", "370100", username=f"racer{n}") for n in range(2)]
    codes, gate = [], threading.Barrier(2)

    def go(session):
        gate.wait()
        codes.append(open_form(session, key_of(doc)).status_code)
    threads = [threading.Thread(target=go, args=(p,)) for p in people]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(codes) == [302, 409], codes
    with app.app_context():
        assert len(registry().find({"type": "task", "report": doc["_id"], "status": "dispatched"}, limit=5)) == 1
    assert audit_actions(app, doc["_id"], 1) == ["report.verify"]
