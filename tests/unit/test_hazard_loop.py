"""The hazard closed loop (pure): every allowed and refused step, the five in place, close-out, deadlines."""
from datetime import date

import pytest

from i18n import Problem
from server.hazards import loop

AT = "2026-03-02T02:00:00+00:00"
FIVE = {"measures": "更换防爆电气", "responsible": "张三（设备部）", "funds": "5万元，企业自筹",
        "deadline": "2026-04-30", "contingency": "停用该区域，设警戒"}
NONE = {}  # an empty operator calendar: only the chinese_calendar package's years


def case(state="found", grade="general", **extra) -> dict:
    return {"_id": "case:x", "state": state, "grade": grade, "history": [], "reinspections": [], **extra}


def refused(code: str, fn, *args, **kwargs):
    with pytest.raises(Problem) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value.code
    return err.value


def ordered(grade="general") -> dict:
    start = case(grade=grade)
    if grade == "major":
        start = loop.set_five_in_place(start, FIVE, "sup", AT)
    return loop.order(start, "order:1", date(2026, 3, 16), "sup", AT)


def test_the_whole_loop_of_a_major_hazard():
    c = loop.set_five_in_place(case(grade="major"), FIVE, "sup", AT)
    c = loop.order(c, "order:1", date(2026, 3, 16), "sup", AT)
    assert c["state"] == "ordered" and c["supervised"] is True and c["deadline"] == "2026-03-16"
    c = loop.rectify(c, "已更换", ["photo:1"], "sup", AT)
    refused("hazard.major_needs_reinspection", loop.close, c, "sup", AT)
    c = loop.schedule_reinspection(c, "task:a:00001", "sup", AT)
    refused("hazard.reinspection_pending", loop.schedule_reinspection, c, "task:a:00002", "sup", AT)
    c = loop.record_reinspection(c, "task:a:00001", "pass", "(济南)应急复查〔2026〕1号", "sup2", AT)
    assert c["state"] == "reinspected" and c["reinspections"][-1]["opinion_number"].startswith("(济南)")
    c = loop.close(c, "sup", AT, "复查合格")
    assert c["state"] == "closed" and c["closed_by"] == "sup"
    assert [h["action"] for h in c["history"]] == ["five_in_place", "order", "rectify", "schedule_reinspection",
                                                   "reinspection_result", "close"]
    assert [(h["from"], h["to"]) for h in c["history"]][-1] == ("reinspected", "closed")


def test_a_failed_reinspection_goes_back_to_ordered_and_cannot_close():
    c = loop.schedule_reinspection(loop.rectify(ordered(), "已整改", [], "s", AT), "task:a:00001", "s", AT)
    c = loop.record_reinspection(c, "task:a:00001", "fail", "N1", "s", AT)
    refused("hazard.failed_cannot_close", loop.close, c, "s", AT)
    again = loop.order(c, "order:2", date(2026, 4, 1), "s", AT)
    assert again["state"] == "ordered" and again["orders"] == ["order:1", "order:2"]
    assert again["escalated_deadline"] is None


def test_a_passed_reinspection_cannot_be_ordered_again():
    c = loop.schedule_reinspection(loop.rectify(ordered(), "已整改", [], "s", AT), "task:a:00001", "s", AT)
    c = loop.record_reinspection(c, "task:a:00001", "pass", "N1", "s", AT)
    refused("hazard.reorder_needs_fail", loop.order, c, "order:2", date(2026, 4, 1), "s", AT)


def test_a_major_hazard_cannot_be_ordered_without_the_five_in_place():
    err = refused("hazard.five_missing", loop.order, case(grade="major"), "order:1", date(2026, 3, 16), "s", AT)
    assert err.params["missing"] == "measures、responsible、funds、deadline、contingency"
    partial = case(grade="major", five_in_place={**FIVE, "funds": " "})
    assert refused("hazard.five_missing", loop.order, partial, "o", date(2026, 3, 16), "s", AT).params["missing"] == "funds"
    refused("hazard.five_missing", loop.set_five_in_place, case(grade="major"), {**FIVE, "contingency": ""}, "s", AT)
    general = loop.order(case(), "order:1", date(2026, 3, 16), "s", AT)
    assert general["supervised"] is False


def test_a_general_hazard_may_close_on_its_evidence_unless_a_reinspection_is_under_way():
    rectified = loop.rectify(ordered(), "已整改", ["photo:1"], "s", AT)
    assert loop.close(rectified, "s", AT)["state"] == "closed"
    waiting = loop.schedule_reinspection(rectified, "task:a:00001", "s", AT)
    refused("hazard.reinspection_pending", loop.close, waiting, "s", AT)


@pytest.mark.parametrize("state", ["found", "ordered", "closed", "void"])
def test_close_is_refused_before_rectification_and_after_the_end(state):
    refused("hazard.wrong_state", loop.close, case(state=state), "s", AT)


@pytest.mark.parametrize("fn,args,allowed", [
    (loop.order, ("order:1", date(2026, 3, 16)), {"found", "reinspected"}),
    (loop.rectify, ("已整改", []), {"ordered"}),
    (loop.schedule_reinspection, ("task:a:00001",), {"rectified"}),
    (loop.set_five_in_place, (FIVE,), {"found", "ordered", "reinspected"}),
    (loop.void, ("驳回",), {"found"}),
])
def test_each_step_only_from_its_states(fn, args, allowed):
    for state in loop.STATES:
        start = case(state=state, reinspections=[{"result": "fail"}] if state == "reinspected" else [])
        if state in allowed:
            assert fn(start, *args, "s", AT)["history"][-1]["from"] == state
        else:
            assert refused("hazard.wrong_state", fn, start, *args, "s", AT).params["state"] == state


def test_reinspection_results_only_for_the_task_awaited_and_pass_or_fail():
    waiting = loop.schedule_reinspection(loop.rectify(ordered(), "已整改", [], "s", AT), "task:a:00001", "s", AT)
    refused("hazard.not_this_task", loop.record_reinspection, waiting, "task:b:00001", "pass", "N", "s", AT)
    refused("hazard.bad_result", loop.record_reinspection, waiting, "task:a:00001", "maybe", "N", "s", AT)
    refused("hazard.wrong_state", loop.record_reinspection, ordered(), "task:a:00001", "pass", "N", "s", AT)


def test_rectification_needs_a_text_and_an_order_needs_a_future_deadline():
    refused("hazard.evidence_required", loop.rectify, ordered(), "   ", [], "s", AT)
    refused("hazard.deadline_past", loop.order, case(), "order:1", date(2026, 3, 1), "s", AT)


def test_the_input_is_never_changed():
    start = case()
    loop.order(start, "order:1", date(2026, 3, 16), "s", AT)
    assert start == case()


def test_overdue_is_after_the_deadline_day_and_escalates_once_per_deadline():
    c = ordered()
    assert not loop.is_overdue(c, date(2026, 3, 16)) and loop.is_overdue(c, date(2026, 3, 17))
    refused("hazard.not_overdue", loop.escalate, c, "370100", date(2026, 3, 16), "sys", AT)
    up = loop.escalate(c, "370100", date(2026, 3, 17), "sys", AT)
    assert up["escalated_to"] == "370100" and up["state"] == "ordered" and up["history"][-1]["action"] == "escalate"
    refused("hazard.already_escalated", loop.escalate, up, "370100", date(2026, 3, 20), "sys", AT)
    assert not loop.is_overdue(loop.rectify(c, "已整改", [], "s", AT), date(2026, 5, 1))


def test_deadlines_in_working_days_across_spring_festival_2026():
    # 2026: 15-23 Feb off (春节), Sat 14 Feb and Sat 28 Feb are make-up workdays.
    assert loop.rectification_deadline(date(2026, 2, 12), 1, NONE) == date(2026, 2, 13)
    assert loop.rectification_deadline(date(2026, 2, 12), 2, NONE) == date(2026, 2, 14)   # Saturday, 调休
    assert loop.rectification_deadline(date(2026, 2, 12), 3, NONE) == date(2026, 2, 24)   # after the festival
    assert loop.rectification_deadline(date(2026, 2, 24), 3, NONE) == date(2026, 2, 27)
    assert loop.rectification_deadline(date(2026, 2, 24), 4, NONE) == date(2026, 2, 28)   # Saturday, 调休
    assert loop.rectification_deadline(date(2026, 2, 24), 5, NONE) == date(2026, 3, 2)


def test_deadlines_in_working_days_across_national_day_2025_and_2026():
    assert loop.rectification_deadline(date(2025, 9, 26), 1, NONE) == date(2025, 9, 28)   # Sunday, 调休
    assert loop.rectification_deadline(date(2025, 9, 30), 1, NONE) == date(2025, 10, 9)
    assert loop.rectification_deadline(date(2026, 9, 30), 1, NONE) == date(2026, 10, 8)
    assert loop.rectification_deadline(date(2026, 9, 30), 2, NONE) == date(2026, 10, 9)
    assert loop.rectification_deadline(date(2026, 9, 30), 3, NONE) == date(2026, 10, 10)  # Saturday, 调休


@pytest.mark.parametrize("days", [0, -1, 366, True, 2.5, "5"])
def test_bad_deadline_lengths_are_refused(days):
    refused("hazard.bad_days", loop.rectification_deadline, date(2026, 3, 2), days, NONE)


def test_a_deadline_in_a_year_nobody_announced_is_provisional():
    # 21-31 December: 9 working days; 1 January 2027 (元旦) by rule; then 21 more: Monday 1 February.
    marked = loop.order_deadline(date(2026, 12, 20), 30, NONE)
    assert marked.day == date(2027, 2, 1) and marked.provisional
    assert not loop.order_deadline(date(2026, 12, 1), 5, NONE).provisional
    extra = {2027: {"holidays": frozenset(), "workdays": frozenset()}}
    assert loop.rectification_deadline(date(2026, 12, 30), 2, extra) == date(2027, 1, 1)
