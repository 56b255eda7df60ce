"""The pure rules of a self-report (企业自查): its answers, its hazards and their plans, its states, and the
hazard cases it becomes when the bureau accepts it. No I/O here.

States: draft → submitted → accepted, or submitted → returned (with a reason) → submitted again."""
from __future__ import annotations

import uuid
from datetime import date

from i18n import Problem
from server.hazards import loop

EDITABLE = ("draft", "returned")
STATES = ("draft", "submitted", "returned", "accepted")
MAX_HAZARDS = 50
MAX_PHOTOS = 5
PLAN = ("measures", "responsible", "funds", "deadline", "contingency")
# Deterministic case ids: accepting twice (a retry, two reviewers at once) writes the same cases.
CASES_NS = uuid.UUID("5e1f4e90-0c1b-4a53-9a35-2f1d8f0c6b15")


def checklist_items(template: dict | None, sector: str | None = None) -> list[dict]:
    """The items an enterprise answers: those of its sector (or of every sector) answered yes/no/na
    (counts and measurements are the inspectors')."""
    return [i for i in (template or {}).get("items", []) if i.get("answer", "yes_no_na") == "yes_no_na"
            and i.get("sector", "*") in ("*", sector)]


def set_answers(report: dict, template: dict, answers: dict) -> dict:
    """The self-inspection's answers (符合/不符合/不适用) for items of its checklist; unknown items refused."""
    require_editable(report)
    keys = {i["key"] for i in checklist_items(template, report.get("sector"))}
    unknown = [k for k in answers if k not in keys]
    if unknown:
        raise Problem("ep.unknown_item", item=str(unknown[0])[:40])
    if any(v not in ("yes", "no", "na") for v in answers.values()):
        raise Problem("ep.bad_answer")
    return {**report, "answers": {**report.get("answers", {}), **answers}}


def require_editable(report: dict) -> None:
    if report.get("status") not in EDITABLE:
        raise Problem("ep.not_editable")


def check_plan(hazard: dict, today: date) -> None:
    """A plan's deadline follows the orders' rule; a major hazard needs its contingency plan too (五到位)."""
    loop.check_deadline(hazard["deadline"], today)
    if hazard["grade"] == "major" and len(str(hazard.get("contingency") or "").strip()) < 2:
        raise Problem("ep.contingency_required")


def add_hazard(report: dict, hazard: dict, photos: list[str], at: str, today: date,
               template: dict | None = None) -> dict:
    """The report with one more hazard (numbered after the last one)."""
    require_editable(report)
    check_plan(hazard, today)
    if len(report.get("hazards", [])) >= MAX_HAZARDS:
        raise Problem("ep.too_many_hazards", max=MAX_HAZARDS)
    if len(photos) > MAX_PHOTOS:
        raise Problem("ep.too_many_photos", max=MAX_PHOTOS)
    if hazard.get("item") and hazard["item"] not in {i["key"] for i in checklist_items(template, report.get("sector"))}:
        raise Problem("ep.unknown_item", item=hazard["item"])
    number = max((h["n"] for h in report.get("hazards", [])), default=0) + 1
    entry = {"n": number, "description": hazard["description"], "location": hazard.get("location", ""),
             "grade": hazard["grade"], "item": hazard.get("item"), "photos": list(photos), "added_at": at,
             "plan": {part: (hazard[part].isoformat() if part == "deadline" else hazard.get(part, ""))
                      for part in PLAN}}
    return {**report, "hazards": [*report.get("hazards", []), entry]}


def remove_hazard(report: dict, number: int) -> tuple[dict, dict]:
    """The report without hazard `number`, and the removed hazard (its photos are to be deleted)."""
    require_editable(report)
    kept = [h for h in report.get("hazards", []) if h["n"] != number]
    if len(kept) == len(report.get("hazards", [])):
        raise Problem("ep.no_such_hazard")
    gone = next(h for h in report["hazards"] if h["n"] == number)
    return {**report, "hazards": kept}, gone


def submit(report: dict, template: dict, by: str, at: str) -> dict:
    """Every item answered; an item answered 不符合 needs a hazard of its own (what is wrong, what is done)."""
    require_editable(report)
    answers = report.get("answers", {})
    missing = [i["key"] for i in checklist_items(template, report.get("sector")) if i["key"] not in answers]
    if missing:
        raise Problem("ep.unanswered", count=len(missing))
    reported = {h.get("item") for h in report.get("hazards", [])}
    failing = [k for k, v in answers.items() if v == "no" and k not in reported]
    if failing:
        raise Problem("ep.failing_without_hazard", count=len(failing))
    return _moved(report, "submitted", "submit", by, at, "", submitted_at=at, submitted_by=by, decision=None)


def decide(report: dict, decision: str, reason: str, by: str, at: str) -> dict:
    """The bureau's decision on a submitted report: accepted, or returned with a reason."""
    if report.get("status") != "submitted":
        raise Problem("ep.not_submitted")
    if decision == "return" and len(reason.strip()) < 2:
        raise Problem("ep.reason_required")
    to = "accepted" if decision == "accept" else "returned"
    return _moved(report, to, decision, by, at, reason, decision={"decision": decision, "reason": reason,
                                                                  "by": by, "at": at})


def _moved(report: dict, to: str, action: str, by: str, at: str, note: str, **fields) -> dict:
    history = [*report.get("history", []), {"action": action, "from": report.get("status"), "to": to,
                                            "at": at, "by": by, "note": note}]
    return {**report, **fields, "status": to, "history": history}


def case_id(report_id: str, number: int) -> str:
    return "case:" + str(uuid.uuid5(CASES_NS, f"{report_id}#{number}"))


def cases_for(report: dict, at: str) -> list[dict]:
    """The hazard cases (隐患闭环) of an accepted report, shaped like sync/worker/cases.py's, with
    source "self_report" (contract of issue 15): found by the enterprise's account, no inspection."""
    by = report["submitted_by"]
    return [case_for(report, hazard, by, at) for hazard in report.get("hazards", [])]


def case_for(report: dict, hazard: dict, by: str, at: str) -> dict:
    cid = case_id(report["_id"], hazard["n"])
    found = [{"action": "found", "from": None, "to": "found", "at": report["submitted_at"], "by": by, "note": ""}]
    if all(str(hazard["plan"].get(p) or "").strip() for p in PLAN):   # the enterprise's 五到位 as it stated it
        found.append({"action": "five_in_place", "from": "found", "to": "found", "at": report["submitted_at"],
                      "by": by, "note": ""})
    return {"_id": cid, "type": "hazard_case", "source": "self_report", "self_report": report["_id"],
            "hazard": "hazard:" + cid.split(":", 1)[1], "inspection": None, "task": None, "plan": None,
            "region": report["region"], "sector": report.get("sector"), "enterprise": report["enterprise"],
            "enterprise_name": report.get("enterprise_name", ""), "site": report.get("site"),
            "task_kind": None, "description": hazard["description"], "location": hazard.get("location", ""),
            "grade": hazard["grade"], "item": hazard.get("item"), "found_at": report["submitted_at"],
            "found_by": by, "photos": list(hazard.get("photos", [])), "proposed_deadline": hazard["plan"]["deadline"],
            "team": [], "state": "found", "order": None, "orders": [], "deadline": None,
            "five_in_place": dict(hazard["plan"]), "supervised": False, "escalated_to": None,
            "rectification": None, "reinspection_task": None, "reinspections": [], "closed_at": None,
            "closed_by": None, "created_at": at, "accepted_by": report["decision"]["by"], "history": found}
