"""The hazard closed loop (隐患闭环) as a pure state machine: which action may move a case where, and its rules.

found → ordered → rectified → reinspected → closed (销号), or from a failed re-inspection back to ordered;
void when the inspection that found it is rejected. A major hazard (重大事故隐患) needs the five in place
(五到位) before it is ordered, is listed for supervision (挂牌督办) from then on, and closes only after a
passed re-inspection. Every function returns a new case and raises `Problem("hazard.*")` when a rule
says no; nothing here reads or writes a database.
"""
from __future__ import annotations

import copy
from datetime import date, timedelta

from i18n import Problem
from server.calendar.workdays import Deadline, add_days, deadline as counted_deadline, is_working_day, official_years

STATES = ("found", "ordered", "rectified", "reinspected", "closed", "void")
OPEN_STATES = ("found", "ordered", "rectified", "reinspected")
FIVE = ("measures", "responsible", "funds", "deadline", "contingency")
RESULTS = ("pass", "fail")
MAX_ORDER_DAYS = 365


def last_result(case: dict) -> str | None:
    done = case.get("reinspections") or []
    return done[-1]["result"] if done else None


def missing_five(case: dict) -> list[str]:
    """The parts of the five in place (五到位) not yet recorded, in their fixed order."""
    five = case.get("five_in_place") or {}
    return [part for part in FIVE if not str(five.get(part) or "").strip()]


def is_overdue(case: dict, today: date) -> bool:
    """Ordered and past its deadline: the deadline day itself is still in time."""
    return case.get("state") == "ordered" and bool(case.get("deadline")) and case["deadline"] < today.isoformat()


def order_deadline(issued_on: date, working_days: int, extra: dict | None = None) -> Deadline:
    """The deadline of a rectification order: `working_days` working days after the day it is issued,
    on the official calendar with its make-up days (调休); provisional (暂定) past the announced years."""
    if isinstance(working_days, bool) or not isinstance(working_days, int) or not 1 <= working_days <= MAX_ORDER_DAYS:
        raise Problem("hazard.bad_days", max=MAX_ORDER_DAYS)
    return counted_deadline(issued_on, working_days, "working", extra)


def rectification_deadline(issued_on: date, working_days: int, extra: dict | None = None) -> date:
    return order_deadline(issued_on, working_days, extra).day


def check_deadline(day: date, today: date, extra: dict | None = None) -> None:
    """The one rule for every rectification deadline, typed (五到位) or counted (an order): not before
    today, and not past the longest order (MAX_ORDER_DAYS working days from today)."""
    if day < today:
        raise Problem("hazard.deadline_past", deadline=day.isoformat())
    latest = add_days(today, MAX_ORDER_DAYS, "working", extra)
    if day > latest:
        raise Problem("hazard.deadline_too_far", deadline=day.isoformat(), latest=latest.isoformat(),
                      max=MAX_ORDER_DAYS)


def five_deadline(case: dict) -> str | None:
    """The 治理期限 of the five in place, 'YYYY-MM-DD', if recorded."""
    value = (case.get("five_in_place") or {}).get("deadline")
    return str(value) if value else None


def deadline_agreement(case: dict) -> dict | None:
    """Why the order's deadline is not the five in place's, or None when they agree (or one is missing).
    Only `earlier` can exist: an order later than the 治理期限 is refused (order_after_five)."""
    five, own = five_deadline(case), case.get("deadline")
    if case.get("state") == "void" or not (five and own) or five == own:
        return None
    return {"relation": "earlier" if own < five else "later", "five": five, "deadline": own}


def working_days_until(today: date, day: date, extra: dict | None = None) -> int:
    """How many working days after `today` reach `day` at the latest (0 if none): the order length that
    agrees with a 五到位 deadline, which falls short of it only when that day is itself a rest day."""
    years = official_years() if extra is None else extra
    n, current = 0, today
    while current < day and n < MAX_ORDER_DAYS:
        current += timedelta(days=1)
        n += is_working_day(current, years)
    return int(n)


def _require_state(case: dict, action: str, allowed: tuple[str, ...]) -> None:
    if case.get("state") not in allowed:
        raise Problem("hazard.wrong_state", action=action, state=case.get("state"), allowed="/".join(allowed))


def _moved(case: dict, action: str, to: str, by: str, at: str, note: str = "") -> dict:
    new = copy.deepcopy(case)
    new.setdefault("history", []).append({"action": action, "from": case.get("state"), "to": to, "at": at,
                                          "by": by, "note": note})
    new["state"] = to
    return new


def set_five_in_place(case: dict, five: dict, by: str, at: str, today: date | None = None) -> dict:
    """Record measures, responsible person, funds, deadline and contingency plan; all five are required.
    The deadline obeys the orders' rule, and is not earlier than the deadline of an order in force."""
    _require_state(case, "five_in_place", ("found", "ordered", "reinspected"))
    missing = [part for part in FIVE if not str(five.get(part) or "").strip()]
    if missing:
        raise Problem("hazard.five_missing", missing="、".join(missing))
    try:
        day = date.fromisoformat(str(five["deadline"]))
    except ValueError:
        raise Problem("calendar.bad_date", value=str(five["deadline"])[:30]) from None
    check_deadline(day, today or date.fromisoformat(at[:10]))
    if case.get("state") == "ordered" and case.get("deadline") and day.isoformat() < case["deadline"]:
        raise Problem("hazard.five_before_order", five=day.isoformat(), deadline=case["deadline"])
    new = _moved(case, "five_in_place", case["state"], by, at)
    new["five_in_place"] = {part: five[part] for part in FIVE}
    return new


def order(case: dict, order_id: str, deadline: date, by: str, at: str, *, today: date | None = None,
          provisional: bool = False, rule: dict | None = None) -> dict:
    """Put the hazard under a rectification order with its own deadline (from found, or after a failed
    re-inspection). A major hazard needs the five in place first, is listed for supervision, and its
    order may not give longer than the five in place's 治理期限 (the plan the bureau supervises).
    `rule` ({"from", "days", "unit"}) lets a provisional deadline be recounted once the year is announced."""
    if case.get("state") == "reinspected" and last_result(case) != "fail":
        raise Problem("hazard.reorder_needs_fail")
    _require_state(case, "order", ("found", "reinspected"))
    if case.get("grade") == "major" and missing_five(case):
        raise Problem("hazard.five_missing", missing="、".join(missing_five(case)))
    check_deadline(deadline, today or date.fromisoformat(at[:10]))
    five = five_deadline(case) if case.get("grade") == "major" else None
    if five and deadline.isoformat() > five:
        raise Problem("hazard.order_after_five", deadline=deadline.isoformat(), five=five)
    new = _moved(case, "order", "ordered", by, at, order_id)
    new.update(order=order_id, deadline=deadline.isoformat(), supervised=case.get("grade") == "major",
               escalated_deadline=None, deadline_provisional=bool(provisional), deadline_rule=rule)
    new.setdefault("orders", []).append(order_id)
    return new


def rectify(case: dict, text: str, photos: list[str], by: str, at: str) -> dict:
    """The enterprise's rectification, with its evidence (text and photos), as received by the bureau."""
    _require_state(case, "rectify", ("ordered",))
    if not text.strip():
        raise Problem("hazard.evidence_required")
    new = _moved(case, "rectify", "rectified", by, at)
    new["rectification"] = {"text": text, "photos": list(photos), "at": at, "by": by}
    return new


def schedule_reinspection(case: dict, task_id: str, by: str, at: str) -> dict:
    """A re-inspection task (复查) was dispatched for this rectified hazard; one at a time."""
    _require_state(case, "schedule_reinspection", ("rectified",))
    if case.get("reinspection_task"):
        raise Problem("hazard.reinspection_pending", task=case["reinspection_task"])
    new = _moved(case, "schedule_reinspection", "rectified", by, at, task_id)
    new["reinspection_task"] = task_id
    return new


def record_reinspection(case: dict, task_id: str, result: str, opinion_number: str, by: str, at: str) -> dict:
    """The result of the re-inspection task this case is waiting for: pass or fail."""
    _require_state(case, "reinspection_result", ("rectified",))
    if case.get("reinspection_task") != task_id:
        raise Problem("hazard.not_this_task", task=task_id)
    if result not in RESULTS:
        raise Problem("hazard.bad_result", result=str(result)[:20])
    new = _moved(case, "reinspection_result", "reinspected", by, at, result)
    new.setdefault("reinspections", []).append({"task": task_id, "result": result, "at": at, "by": by,
                                                "opinion_number": opinion_number})
    new["reinspection_task"] = None
    return new


def close(case: dict, by: str, at: str, note: str = "") -> dict:
    """销号: after a passed re-inspection; a general hazard may also close on its rectification evidence."""
    passed = case.get("state") == "reinspected" and last_result(case) == "pass"
    on_evidence = case.get("state") == "rectified" and case.get("grade") != "major"
    if case.get("state") == "rectified" and case.get("grade") == "major":
        raise Problem("hazard.major_needs_reinspection")
    if case.get("state") == "reinspected" and not passed:
        raise Problem("hazard.failed_cannot_close")
    _require_state(case, "close", ("rectified", "reinspected"))
    if on_evidence and case.get("reinspection_task"):
        raise Problem("hazard.reinspection_pending", task=case["reinspection_task"])
    new = _moved(case, "close", "closed", by, at, note)
    new.update(closed_at=at, closed_by=by)
    return new


def void(case: dict, by: str, at: str, note: str) -> dict:
    """The inspection that found the hazard was rejected (or the inspector withdrew it): no loop to run."""
    _require_state(case, "void", ("found",))
    return _moved(case, "void", "void", by, at, note)


def escalate(case: dict, to_region: str, today: date, by: str, at: str) -> dict:
    """An overdue order goes to the supervisor one level up, once per deadline."""
    if not is_overdue(case, today):
        raise Problem("hazard.not_overdue")
    if case.get("escalated_deadline") == case["deadline"]:
        raise Problem("hazard.already_escalated")
    new = _moved(case, "escalate", "ordered", by, at, to_region)
    new.update(escalated_to=to_region, escalated_at=at, escalated_deadline=case["deadline"])
    return new
