"""The pure rules of enterprise self-reports (server/enterprise_portal/selfcheck.py) and the confinement of
the enterprise role in region scope (server/accounts/roles.py)."""
from __future__ import annotations

from datetime import date

import pytest

from i18n import Problem
from server.accounts import roles
from server.enterprise_portal import selfcheck

TODAY = date(2026, 12, 2)
TEMPLATE = {"items": [{"key": "a", "answer": "yes_no_na", "sector": "*"},
                      {"key": "b", "answer": "yes_no_na", "sector": "machinery"},
                      {"key": "c", "answer": "yes_no_na", "sector": "metallurgy"},
                      {"key": "n", "answer": "number", "sector": "*"}]}


def draft(**extra) -> dict:
    return {"_id": "selfreport:" + "a" * 32, "status": "draft", "enterprise": "91370102MA3C0000X1",
            "enterprise_name": "济南示例", "region": "370102", "sector": "machinery", "site": "site:x:01",
            "answers": {}, "hazards": [], "history": [], **extra}


def hazard(**extra) -> dict:
    return {"description": "配电箱门损坏", "location": "二号车间", "grade": "general", "item": "a",
            "measures": "更换", "responsible": "赵刚", "funds": "2000元", "deadline": date(2026, 12, 20),
            "contingency": "", **extra}


def test_only_the_sectors_yes_no_items_are_asked():
    assert [i["key"] for i in selfcheck.checklist_items(TEMPLATE, "machinery")] == ["a", "b"]


def test_answers_are_checked_against_the_checklist():
    assert selfcheck.set_answers(draft(), TEMPLATE, {"a": "yes", "b": "no"})["answers"] == {"a": "yes", "b": "no"}
    with pytest.raises(Problem, match="ep.unknown_item"):
        selfcheck.set_answers(draft(), TEMPLATE, {"c": "yes"})       # another sector's item
    with pytest.raises(Problem, match="ep.bad_answer"):
        selfcheck.set_answers(draft(), TEMPLATE, {"a": "maybe"})
    with pytest.raises(Problem, match="ep.not_editable"):
        selfcheck.set_answers(draft(status="submitted"), TEMPLATE, {"a": "yes"})


def test_a_hazards_plan_obeys_the_deadline_rule_and_five_in_place_for_major_ones():
    added = selfcheck.add_hazard(draft(), hazard(), ["photo:1"], "2026-12-02T01:00:00+00:00", TODAY, TEMPLATE)
    assert added["hazards"][0]["n"] == 1 and added["hazards"][0]["plan"]["deadline"] == "2026-12-20"
    again = selfcheck.add_hazard(added, hazard(), [], "2026-12-02T01:00:00+00:00", TODAY, TEMPLATE)
    assert [h["n"] for h in again["hazards"]] == [1, 2]
    with pytest.raises(Problem, match="hazard.deadline_past"):
        selfcheck.add_hazard(draft(), hazard(deadline=date(2026, 12, 1)), [], "x", TODAY, TEMPLATE)
    with pytest.raises(Problem, match="hazard.deadline_too_far"):
        selfcheck.add_hazard(draft(), hazard(deadline=date(2029, 1, 1)), [], "x", TODAY, TEMPLATE)
    with pytest.raises(Problem, match="ep.contingency_required"):
        selfcheck.add_hazard(draft(), hazard(grade="major"), [], "x", TODAY, TEMPLATE)
    with pytest.raises(Problem, match="ep.too_many_photos"):
        selfcheck.add_hazard(draft(), hazard(), ["p"] * 6, "x", TODAY, TEMPLATE)


def test_submission_needs_every_item_and_a_hazard_for_each_failing_one():
    report = selfcheck.set_answers(draft(), TEMPLATE, {"a": "no"})
    with pytest.raises(Problem, match="ep.unanswered"):
        selfcheck.submit(report, TEMPLATE, "ent", "t")
    report = selfcheck.set_answers(report, TEMPLATE, {"b": "yes"})
    with pytest.raises(Problem, match="ep.failing_without_hazard"):
        selfcheck.submit(report, TEMPLATE, "ent", "t")
    report = selfcheck.add_hazard(report, hazard(item="a"), [], "t", TODAY, TEMPLATE)
    done = selfcheck.submit(report, TEMPLATE, "ent", "2026-12-02T02:00:00+00:00")
    assert done["status"] == "submitted" and done["submitted_by"] == "ent" and done["history"][-1]["action"] == "submit"
    with pytest.raises(Problem, match="ep.not_editable"):
        selfcheck.remove_hazard(done, 1)


def test_accepted_hazards_become_self_report_cases_with_stable_ids():
    report = selfcheck.add_hazard(selfcheck.set_answers(draft(), TEMPLATE, {"a": "no", "b": "yes"}),
                                  hazard(grade="major", contingency="停用并设警戒"), ["photo:1"], "t", TODAY, TEMPLATE)
    report = selfcheck.submit(report, TEMPLATE, "ent01", "2026-12-02T02:00:00+00:00")
    with pytest.raises(Problem, match="ep.reason_required"):
        selfcheck.decide(report, "return", " ", "sup", "t")
    accepted = selfcheck.decide(report, "accept", "", "sup", "2026-12-02T03:00:00+00:00")
    with pytest.raises(Problem, match="ep.not_submitted"):
        selfcheck.decide(accepted, "accept", "", "sup", "t")
    cases = selfcheck.cases_for(accepted, "2026-12-02T03:00:00+00:00")
    case = cases[0]
    assert case["_id"] == selfcheck.case_id(report["_id"], 1) == selfcheck.cases_for(accepted, "later")[0]["_id"]
    assert case["source"] == "self_report" and case["found_by"] == "ent01" and case["inspection"] is None
    assert case["self_report"] == report["_id"] and case["state"] == "found" and case["orders"] == []
    assert [h["action"] for h in case["history"]] == ["found", "five_in_place"]
    assert case["five_in_place"]["contingency"] == "停用并设警戒" and case["photos"] == ["photo:1"]


def test_an_enterprise_account_is_in_scope_of_nothing():
    company = {"role": roles.ENTERPRISE, "region": "370102", "enterprise": "x"}
    assert not roles.in_scope(company, "370102") and not roles.in_scope(company, "")
    assert roles.scope_prefix(company) == roles.NO_SCOPE and not "370102".startswith(roles.NO_SCOPE)
    assert roles.ENTERPRISE not in roles.ROLES and roles.ENTERPRISE not in roles.STAFF + roles.FIELD
