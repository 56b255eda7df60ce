"""一公开: publishing the results of random checks, their deadline in working or calendar days, and overdue ones."""
from __future__ import annotations

from datetime import date

from flask import current_app

from i18n import t
from server.calendar.workdays import Deadline, deadline
from server.errors import ApiError
from server.registry.store import now_iso
from sync.couch import CouchError, Database



def deadline_rule(plan: dict) -> tuple[int, str]:
    """The plan's own rule, else the jurisdiction's setting (PUBLISH_DEADLINE_DAYS / _UNIT)."""
    own = plan.get("publication") or {}
    return (own.get("days") or current_app.config["PUBLISH_DEADLINE_DAYS"],
            own.get("unit") or current_app.config["PUBLISH_DEADLINE_UNIT"])


def due(task: dict, plan: dict) -> Deadline:
    """Counted from the end of the check: its recorded date once known, else the end of its window;
    provisional (暂定) when it counted days of a year whose holiday notice is not known yet."""
    days, unit = deadline_rule(plan)
    end = (task.get("result") or {}).get("checked_on") or task["window"]["end"]
    return deadline(date.fromisoformat(end), days, unit)


def due_date(task: dict, plan: dict) -> date:
    return due(task, plan).day


def public_result(task: dict, plan: dict, result: dict) -> dict:
    """Only what the public may see: no inspectors, no internal notes."""
    return {"_id": f"result:{task['_id'][5:]}", "type": "result", "task": task["_id"],
            "enterprise_name": task["enterprise_name"], "uscc": task["enterprise"], "region": task["region"],
            "plan_name": plan["name"], "checked_on": result["checked_on"], "items_checked": result["items_checked"],
            "outcome": result["outcome"], "hazards": {"general": result["hazards_general"],
                                                      "major": result["hazards_major"]},
            "rectification": result["rectification"], "reason": result.get("reason"), "published_at": now_iso()}


def local_today() -> date:
    from server import clock   # the one "today" of deadlines (a test may set it: CLOCK_TODAY)
    return clock.today()


def result_problems(result: dict, plan: dict, today: date) -> dict[str, list[str]]:
    """What makes a result impossible or self-contradictory (field → messages); empty when it is sound."""
    problems: dict[str, list[str]] = {}
    checked = date.fromisoformat(str(result["checked_on"]))
    hazards = result["hazards_general"] + result["hazards_major"]
    if checked > today:
        problems["checked_on"] = [t("result.future_date", day=checked.isoformat())]
    elif checked < date.fromisoformat(plan["period"]["start"]):
        problems["checked_on"] = [t("result.before_plan", day=plan["period"]["start"])]
    if result["outcome"] == "no_problem" and (hazards or result["rectification"] != "not_needed"):
        problems["outcome"] = [t("result.no_problem_with_hazards")]
    if result["outcome"] == "problems_found" and not hazards:
        problems["outcome"] = [t("result.problems_without_hazards")]
    if hazards and result["rectification"] == "not_needed":
        problems["rectification"] = [t("result.rectification_needed")]
    if result["outcome"] == "not_inspected" and (hazards or result["items_checked"] or not result.get("reason")):
        problems["outcome"] = [t("result.not_inspected_needs_reason")]
    return problems


def publish(public_db: Database, registry_db: Database, task: dict, plan: dict, result: dict) -> dict | None:
    """Record the result on the task and, for the random part of a plan, publish it: all or nothing.

    Everything that can refuse (the result's own consistency, the deadline's calendar) is worked out
    before the first write; the task is written first (a 409 there publishes nothing) and put back if
    the public copy cannot be written.
    """
    problems = result_problems(result, plan, local_today())
    if problems:
        raise ApiError("validation", message=t("result.refused"), errors=problems)
    updated = {**task, "result": result, "status": "done", "result_at": now_iso()}
    doc = None
    if task.get("random"):
        doc = public_result(updated, plan, result)
        due = due_date(updated, plan)
        doc.update(due=due.isoformat(), late=date.fromisoformat(doc["published_at"][:10]) > due)
        updated.update(status="published", published_at=doc["published_at"], published_late=doc["late"],
                       publication_due=due.isoformat())
    registry_db.put_once(updated)
    if doc is not None:
        try:
            existing = public_db.get_or_none(doc["_id"])
            if existing:
                doc["_rev"] = existing["_rev"]
            public_db.put(doc)
        except CouchError:
            registry_db.put({**task, "_rev": updated["_rev"]})
            raise
    task.clear()
    task.update(updated)
    return doc


def overdue(registry_db: Database, plans: dict[str, dict], today: date) -> list[dict]:
    """Random-part tasks of these plans whose results are past their publication deadline."""
    tasks = registry_db.find({"type": "task", "status": {"$in": ["dispatched", "done"]}, "random": True},
                             limit=10_000_000)
    late = []
    for task in tasks:
        plan = plans.get(task["plan"])
        if plan is None:
            continue
        marked = due(task, plan)
        if marked.day < today:
            late.append({"task": task["_id"], "plan": plan["_id"], "plan_name": plan["name"],
                         "enterprise_name": task["enterprise_name"], "due": marked.day.isoformat(),
                         "due_provisional": marked.provisional, "status": task["status"]})
    return late
