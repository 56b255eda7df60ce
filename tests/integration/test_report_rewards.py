"""Rewards for reports found true on a real CouchDB: the scale, a second person's approval (never the
proposer's), the payment, the workbench count and list, each step audited once even when two race."""
import json
import threading
from datetime import timedelta

import pytest

from server import clock
from server.config import Config, ConfigError
from server.reports.rewards import DEFAULT_SCALE, parse_scale
from tests.integration.lag import audit_actions
from tests.integration.report_fixtures import IDENTITY_MARK, key_of, report, verifying_report
from tests.integration.review_fixtures import world

PROPOSAL = {"grade": "major", "amount": "5000", "basis": "举报重大事故隐患经查属实，按罚款金额15%计"}


def found_true(app, **fields):
    """A report found true (as outcome.py leaves it), without going through the whole check again."""
    w = world(app)
    return verifying_report(app, w, status="verified_true",
                            verification={"task": "task:" + "a" * 16 + ":00001", "at": "2026-12-01T01:00:00+00:00",
                                          "by": "sup"},
                            outcome={"result": "true", "public_text_zh": "属实", "public_text_en": "true",
                                     "at": "2026-12-01T05:00:00+00:00", "cases": []}, **fields)


def step(session, doc, action, **form):
    return session.post(f"/console/reports/{key_of(doc)}/reward/{action}", data={**form, "csrf_token": session.csrf})



def test_proposed_approved_by_a_second_person_and_paid(app, login):
    doc = found_true(app)
    first, second = login("supervisor", "370100", username="first"), login("supervisor", "370102", username="second")
    assert step(first, doc, "propose", **PROPOSAL).status_code == 302
    assert report(app, doc["_id"])["reward"]["status"] == "proposed"
    own = step(first, doc, "approve")
    assert own.status_code == 403 and "另一人" in own.get_data(as_text=True)
    assert step(first, doc, "refuse", reason="自己退回自己的建议").status_code == 403
    bench = second.get("/console/").get_data(as_text=True)
    assert 'data-count="rewards"' in bench
    assert ">1<" in bench.split('data-count="rewards"')[1][:60]
    listing = second.get("/console/reports/rewards").get_data(as_text=True)
    assert key_of(doc) in listing and IDENTITY_MARK not in listing
    assert step(second, doc, "approve").status_code == 302
    stored = report(app, doc["_id"])["reward"]
    assert stored["status"] == "approved" and stored["approved_by"] == "second" and stored["proposed_by"] == "first"
    future = (clock.today() + timedelta(days=1)).isoformat()
    assert step(first, doc, "pay", paid_on=future, method="bank", reference="HX20261202001").status_code == 422
    assert step(first, doc, "pay", paid_on=clock.today().isoformat(), method="gold",
                reference="HX20261202001").status_code == 422
    assert step(first, doc, "pay", paid_on=clock.today().isoformat(), method="bank",
                reference="HX20261202001").status_code == 302
    paid = report(app, doc["_id"])["reward"]
    assert paid["status"] == "paid" and paid["payment"]["reference"] == "HX20261202001"
    assert audit_actions(app, doc["_id"], 3) == ["report.reward_propose", "report.reward_approve", "report.reward_pay"]
    page = first.get(f"/console/reports/{key_of(doc)}/verify").get_data(as_text=True)
    assert "已发放" in page and "HX20261202001" in page


def test_amounts_outside_the_scale_and_bad_grades_are_refused(app, login):
    doc = found_true(app)
    sup = login("supervisor", "370100")
    for form in ({**PROPOSAL, "amount": "2999"}, {**PROPOSAL, "amount": "300001"}, {**PROPOSAL, "grade": "huge"},
                 {**PROPOSAL, "amount": "五千"}, {**PROPOSAL, "amount": "1" * 400}, {**PROPOSAL, "basis": ""},
                 {**PROPOSAL, "basis": "x" * 501}, {**PROPOSAL, "grade": "<b>"}, {"amount": "5000"}):
        res = step(sup, doc, "propose", **form)
        assert res.status_code == 422, (form, res.status_code)
    assert report(app, doc["_id"])["reward"] is None and audit_actions(app, doc["_id"]) == []
    assert step(sup, doc, "general", **PROPOSAL).status_code == 404


def test_a_refused_proposal_may_be_proposed_again(app, login):
    doc = found_true(app)
    first, second = login("supervisor", "370100", username="first"), login("admin", "370000", username="boss")
    step(first, doc, "propose", **PROPOSAL)
    assert step(second, doc, "refuse", reason="x").status_code == 422
    assert step(second, doc, "refuse", reason="金额计算依据不足").status_code == 302
    assert step(second, doc, "pay", paid_on=clock.today().isoformat(), method="bank", reference="R1").status_code == 409
    assert step(first, doc, "propose", **{**PROPOSAL, "amount": "3000"}).status_code == 302
    stored = report(app, doc["_id"])["reward"]
    assert stored["amount"] == 3000 and stored["earlier"][0]["status"] == "refused"
    assert step(second, doc, "approve").status_code == 302     # an admin is a second person too


def test_only_reports_found_true_get_a_reward(app, login):
    w = world(app)
    doc = verifying_report(app, w)
    assert step(login("supervisor", "370100"), doc, "propose", **PROPOSAL).status_code == 409


def test_who_may_act(app, client, login):
    doc = found_true(app)
    path = f"/console/reports/{key_of(doc)}/reward/propose"
    assert client.post(path, data=PROPOSAL).status_code in (302, 401, 403)
    assert client.get("/console/reports/rewards").status_code == 302
    inspector = login("inspector", "370102")
    assert step(inspector, doc, "propose", **PROPOSAL).status_code == 403
    assert inspector.get("/console/reports/rewards").status_code in (302, 403)
    other = login("supervisor", "370200")
    assert step(other, doc, "propose", **PROPOSAL).status_code == 404
    assert key_of(doc) not in other.get("/console/reports/rewards").get_data(as_text=True)
    assert step(login("supervisor", "370100"), doc, "propose", **PROPOSAL).status_code == 302
    assert key_of(doc) not in other.get("/console/reports/rewards").get_data(as_text=True)
    assert step(other, doc, "approve").status_code == 404


def test_two_approvals_at_the_same_moment_one_wins_one_audit_entry(app, login):
    doc = found_true(app)
    step(login("supervisor", "370100", username="first"), doc, "propose", **PROPOSAL)
    approvers = [login("supervisor", "370100", username=f"second{n}") for n in range(2)]
    codes, gate = [], threading.Barrier(2)

    def approve(session):
        gate.wait()
        codes.append(step(session, doc, "approve").status_code)
    threads = [threading.Thread(target=approve, args=(s,)) for s in approvers]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(codes) == [302, 409], codes
    assert audit_actions(app, doc["_id"], 2) == ["report.reward_propose", "report.reward_approve"]


def test_the_scale_setting():
    assert parse_scale("") == DEFAULT_SCALE
    assert parse_scale('{"major": [3000, 300000]}') == {"major": [3000, 300000]}
    for bad in ('{"major": [5, 1]}', '[1, 2]', '{"major": "3000"}', "not json", '{"major": [1.5, 2]}', "{}"):
        with pytest.raises(ValueError):
            parse_scale(bad)
    env = {"SECRET_KEY": "k" * 40, "COUCHDB_URL": "http://x", "QR_KEYS": "k1:x", "QR_ACTIVE_KEY": "k1",
           "REPORT_REWARD_SCALE": json.dumps({"major": [10, 1]})}
    with pytest.raises(ConfigError):
        Config(env).check()


def test_a_custom_scale_is_used(app, login):
    app.config["REPORT_REWARD_SCALE"] = json.dumps({"major": [100, 200]})
    doc = found_true(app)
    sup = login("supervisor", "370100")
    assert step(sup, doc, "propose", **PROPOSAL).status_code == 422
    assert step(sup, doc, "propose", **{**PROPOSAL, "amount": "150"}).status_code == 302
