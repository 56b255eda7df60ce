"""Where a console publication comes from (一公开): the filed inspections of each task on a page, and the
figures an approved one will publish, read the way the API reads them (result_source), never typed in."""
from __future__ import annotations

from server.db import database
from server.plans import result_source

FIELDS = ["_id", "type", "task", "review_status", "started_at", "hazards", "answers", "number"]
PER_TASK = 5    # filed inspections read per task at most: a task normally has one


def figures(doc: dict) -> dict | None:
    """What publishing this inspection would publish; None when its record cannot be read as a result."""
    from server.review.effects import result_of   # the review's own reading of a record, shared
    try:
        return result_of(doc)
    except (KeyError, ValueError, TypeError):
        return None


def by_task(task_ids: list[str]) -> dict[str, dict]:
    """{task id: {"approved": [(inspection, figures)], "pending": n}} for the tasks of one page."""
    out = {tid: {"approved": [], "pending": 0} for tid in task_ids}
    if not task_ids:
        return out
    found = database("records").find({"type": "inspection", "task": {"$in": sorted(task_ids)}},
                                     limit=PER_TASK * len(task_ids), fields=FIELDS)
    for doc in found:
        entry = out.get(doc.get("task"))
        if entry is None:
            continue
        if doc.get("review_status") == "approved" and (shown := figures(doc)) is not None:
            entry["approved"].append((doc, shown))
        elif doc.get("review_status") not in ("approved", "rejected"):
            entry["pending"] += 1
    return out


def body(form) -> dict:
    """The API's request from the publish form: an inspection, or a check that did not take place."""
    if form.get("source") == "not_inspected":
        return {"outcome": "not_inspected", "checked_on": (form.get("checked_on") or "")[:20],
                "reason": (form.get("reason") or "")[:2000]}
    return {"inspection": (form.get("inspection") or "")[:80]}


def preview(task: dict, data: dict) -> dict:
    """The figures the confirmation page shows: those of the inspection (refused as the API refuses), or
    the not-inspected outcome with its date and reason."""
    if data.get("inspection"):
        return {**result_source.result_for(task, {"inspection": data["inspection"]}), "result": True}
    return {**data, "result": True}
