"""The major-hazard database's pure parts: 督办 levels by region, listing, lifting, measures, and the
statistics' "found by inspectors" that leaves enterprises' self-reports out (issue 15)."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from i18n import Problem
from server.majors import rules
from server.majors.stats import fold_sources, found_by_inspectors, fold_states

TODAY = date(2026, 12, 2)
AT = "2026-12-02T01:00:00+00:00"
CITY = {"username": "ji.nan", "role": "supervisor", "region": "370100"}
COUNTY = {"username": "li.xia", "role": "supervisor", "region": "370102"}
PROVINCE = {"username": "shan.dong", "role": "supervisor", "region": "370000"}
DOC = {"number": "济安委督〔2026〕3号", "text": "限期整改"}


def case(**over) -> dict:
    return {"_id": "case:x", "grade": "major", "state": "ordered", "supervised": True, "history": [], **over}


def row(source, grade, state, n=1, month=5):
    return {"key": ["", "source", 2026, source, month, grade, state], "value": n}


def test_found_by_inspectors_leaves_self_reports_out():
    folded = fold_sources([row("inspection", "major", "closed", 2), row("report", "general", "found", 3),
                           row("self_report", "major", "found", 5), row("self_report", "general", "closed", 7)])
    assert folded["self_report"] == Counter({"major": 5, "general": 7, "closed": 7})
    assert found_by_inspectors(folded) == Counter({"major": 2, "general": 3, "closed": 2})
    assert found_by_inspectors({"self_report": Counter({"major": 4})}) == Counter()


def test_fold_states_counts_each_value_by_state():
    rows = [{"key": ["", "level", 2026, "city", "ordered"], "value": 2},
            {"key": ["", "level", 2026, "none", "found"], "value": 1}]
    assert fold_states(rows) == {"city": Counter({"ordered": 2}), "none": Counter({"found": 1})}


def test_levels_follow_the_region_code():
    assert rules.own_level(COUNTY) == "county" and rules.own_level(CITY) == "city"
    assert rules.own_level(PROVINCE) == "province"
    assert rules.own_level({"role": "admin", "region": "370102"}) == "province"
    assert rules.may_list_at(CITY, "county") and rules.may_list_at(CITY, "city")
    assert not rules.may_list_at(CITY, "province") and not rules.may_list_at(CITY, "national")


def test_listing_and_raising_but_never_lowering():
    listed = rules.supervise(case(), COUNTY, "county", DOC, date(2026, 12, 30), AT, TODAY)
    assert rules.listing(listed)["level"] == "county" and listed["history"][-1]["action"] == "supervise"
    with pytest.raises(Problem) as again:
        rules.supervise(listed, CITY, "county", DOC, date(2026, 12, 30), AT, TODAY)
    assert again.value.code == "majors.already_listed"
    raised = rules.supervise(listed, CITY, "city", DOC, date(2026, 12, 30), AT, TODAY)
    assert raised["supervision"]["level"] == "city" and raised["supervision"]["earlier"][0]["by"] == "li.xia"
    for bad, code in ((lambda: rules.supervise(case(), COUNTY, "city", DOC, date(2026, 12, 30), AT, TODAY),
                       "majors.level_too_high"),
                      (lambda: rules.supervise(case(), CITY, "city", DOC, date(2026, 12, 1), AT, TODAY),
                       "majors.deadline_past"),
                      (lambda: rules.supervise(case(), CITY, "city", DOC, date(2029, 1, 1), AT, TODAY),
                       "majors.deadline_too_far"),
                      (lambda: rules.supervise(case(grade="general"), CITY, "city", DOC, date(2026, 12, 30), AT, TODAY),
                       "majors.not_major"),
                      (lambda: rules.supervise(case(state="closed"), CITY, "city", DOC, date(2026, 12, 30), AT, TODAY),
                       "majors.closed")):
        with pytest.raises(Problem) as refused:
            bad()
        assert refused.value.code == code


def test_lifting_needs_a_closed_case_and_the_listing_level():
    listed = rules.supervise(case(), CITY, "city", DOC, date(2026, 12, 30), AT, TODAY)
    with pytest.raises(Problem, match="majors.lift_needs_closed"):
        rules.lift(listed, CITY, "done", AT)
    closed = {**listed, "state": "closed"}
    with pytest.raises(Problem, match="majors.level_too_high"):
        rules.lift(closed, COUNTY, "done", AT)
    lifted = rules.lift(closed, CITY, "复查合格", AT)
    assert lifted["supervised"] is False and rules.listing(lifted) is None
    assert lifted["supervision"]["lifted"]["by"] == "ji.nan"


def test_measures_need_a_past_date_and_a_document():
    base = {"kind": "interview", "on": TODAY, "title": "约谈通知", "text": "约谈", "number": ""}
    done = rules.record_measure(case(), CITY, base, AT, TODAY)
    assert done["escalations"][0]["kind"] == "interview" and done["history"][-1]["action"] == "measure_interview"
    for over, code in (({"on": date(2026, 12, 3)}, "majors.measure_in_future"),
                       ({"text": ""}, "majors.document_required"),
                       ({"kind": "banish"}, "majors.bad_measure")):
        with pytest.raises(Problem) as refused:
            rules.record_measure(case(), CITY, {**base, **over}, AT, TODAY)
        assert refused.value.code == code


def test_a_case_holds_a_bounded_number_of_measures():
    full = case(escalations=[{"kind": "letter"}] * rules.MAX_MEASURES)
    with pytest.raises(Problem, match="majors.too_many_measures"):
        rules.record_measure(full, CITY, {"kind": "letter", "on": TODAY, "title": "函告", "text": "x"}, AT, TODAY)
