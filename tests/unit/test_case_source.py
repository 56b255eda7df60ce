"""Cases say where they come from (issue 15): a hazard filed on a report's verification task makes a case with
source "report" naming the report; any other hazard, "inspection"; the source is set once, when made."""
from sync.worker.cases import case_for

HAZARD = {"_id": "hazard:0f0e0d0c-0000-4000-8000-000000000001", "type": "hazard", "inspector": "inspector:aaaaaaaaaaaa",
          "found_at": "2026-12-01T02:00:00Z", "description": "安全出口堵塞", "grade": "general", "task": "task:x:00001"}


def test_a_hazard_of_a_report_verification_makes_a_report_case():
    case = case_for({**HAZARD, "task_kind": "report_verification", "report": "report:" + "a" * 32}, None, "now")
    assert case["source"] == "report" and case["report"] == "report:" + "a" * 32


def test_other_hazards_make_inspection_cases_without_a_report():
    for kind in ("random", "targeted", "reinspection", None):
        case = case_for({**HAZARD, "task_kind": kind}, None, "now")
        assert case["source"] == "inspection" and "report" not in case


def test_a_later_revision_keeps_the_case_as_it_was_apart_from_the_copies():
    made = case_for({**HAZARD, "task_kind": "report_verification", "report": "report:" + "b" * 32}, None, "now")
    again = case_for({**HAZARD, "task_kind": "report_verification", "report": "report:" + "b" * 32,
                      "description": "安全出口堵塞（补充）"}, made, "later")
    assert again["source"] == "report" and again["description"] == "安全出口堵塞（补充）"
    assert case_for({**HAZARD, "task_kind": "report_verification", "report": "report:" + "b" * 32}, made, "x") is None
