"""What a review decision sets going: 一公开 of a random check, re-inspection results on their cases, and
the cases of a rejected inspection voided."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from i18n import Problem, t
from schemas.plans import ResultSchema
from server.db import database, registry
from server.errors import ApiError
from server.hazards import loop
from server.hazards.service import records, save, void_found
from server.plans import publication
from server.registry.store import now_iso

log = logging.getLogger(__name__)
SHANGHAI = timezone(timedelta(hours=8))


def reinspection_answers(doc: dict, task: dict) -> dict[str, str]:
    """hazard id → pass | fail, for the hazards the re-inspection task carries."""
    wanted = {h["hazard"] for h in task.get("hazards", [])}
    return {a["item"]: a["value"] for a in doc.get("answers", []) if a["item"] in wanted}


def check_reinspection_answers(doc: dict, task: dict) -> None:
    """Approval needs a pass or fail for every hazard of the task (else: return it to the team)."""
    answers = reinspection_answers(doc, task)
    missing = [h["description"][:40] for h in task.get("hazards", []) if answers.get(h["hazard"]) not in loop.RESULTS]
    if not task.get("hazards") or missing:
        raise ApiError("validation", message=t("review.reinspection_incomplete", hazards="；".join(missing)),
                       errors={"answers": missing})


def result_of(doc: dict) -> dict:
    """The published outcome of a check, from its record (一公开: no people, no notes)."""
    counts = doc.get("hazards") or {}
    found = counts.get("general", 0) + counts.get("major", 0)
    started = datetime.fromisoformat(doc["started_at"].replace("Z", "+00:00")).astimezone(SHANGHAI)
    checked = [a for a in doc.get("answers", []) if a.get("value") not in (None, "", "na")]
    result = {"checked_on": started.date().isoformat(), "items_checked": min(len(checked), 1000),
              "outcome": "problems_found" if found else "no_problem",
              "hazards_general": counts.get("general", 0), "hazards_major": counts.get("major", 0),
              "rectification": "in_progress" if found else "not_needed"}
    return ResultSchema().dump(ResultSchema().load(result))


def publish(doc: dict, task: dict) -> None:
    """Record the result on the task; a random check's result is published (一公开) at once."""
    plan = registry().get_or_none(task.get("plan", "")) if task else None
    if not plan or task.get("status") not in ("dispatched", "done", "published"):
        log.warning("inspection %s approved, but its task %s or plan is missing or closed: nothing published",
                    doc["_id"], doc.get("task"))
        return
    publication.publish(database("public"), registry(), task, plan, result_of(doc))


def record_results(doc: dict, task: dict, user: dict, opinion: str) -> int:
    """Each hazard's pass or fail on its case (which moves to `reinspected`), with the opinion's number."""
    answers = reinspection_answers(doc, task)
    cases = records().docs_by_id([h["case"] for h in task.get("hazards", [])])
    recorded = 0
    for entry in task.get("hazards", []):
        case = cases.get(entry["case"])
        if not case:
            continue
        try:
            moved = loop.record_reinspection(case, task["_id"], answers[entry["hazard"]], opinion,
                                             user["username"], now_iso())
        except Problem as exc:  # the case moved on meanwhile (e.g. another task): noted, not forced
            log.warning("re-inspection result for %s not recorded: %s", case["_id"], exc.code)
            continue
        save(moved, user["username"], {"task": task["_id"], "opinion_number": opinion})
        recorded += 1
    return recorded


def after_decision(doc: dict, task: dict, hazards: list[dict], user: dict, opinion: str | None) -> None:
    decision = doc["review_status"]
    if decision == "approved":
        if doc.get("task_kind") == "reinspection":
            record_results(doc, task, user, opinion)
        elif doc.get("task_kind") == "report_verification":
            from server.reports import outcome  # the report's verdict (查实 / 不属实) follows the approved check
            outcome.from_review(doc, task, hazards, user)
        publish(doc, task)
    elif decision == "rejected":
        void_found(["case:" + h["_id"].split(":", 1)[1] for h in hazards], user["username"],
                   doc["review"]["reason"][:200])
