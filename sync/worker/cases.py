"""Filing a hazard opens its case (隐患闭环) in `records`; the case follows the phone while nothing was done yet.

Also keeps each inspection's hazard counts, which the review queue filters on ("has a major hazard").
"""
from __future__ import annotations

from datetime import datetime, timezone

# Copied from the hazard onto its case; refreshed from the phone's revisions while the case is `found`.
COPIED = ("hazard", "inspection", "task", "plan", "region", "sector", "enterprise", "enterprise_name", "site",
          "task_kind", "description", "location", "grade", "item", "found_at", "found_by", "photos",
          "proposed_deadline", "team")


def case_id(hazard_id: str) -> str:
    return "case:" + hazard_id.split(":", 1)[1]


def utc(text: str) -> str:
    """A phone's time (any offset) as UTC text, so that cases sort and filter by it like the server's times."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return text
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment.tzinfo else text


def _copies(hazard: dict) -> dict:
    source = {**hazard, "hazard": hazard["_id"], "found_by": hazard["inspector"], "found_at": utc(hazard["found_at"])}
    return {name: source.get(name) for name in COPIED}


def source_of(hazard: dict) -> dict:
    """Where the case comes from (contract of issue 15): a hazard filed on a report's verification task is
    "report" and names the report; every other filed hazard is "inspection". Set once, when the case is made."""
    if hazard.get("task_kind") == "report_verification":
        return {"source": "report", "report": hazard.get("report")}
    return {"source": "inspection"}


def case_for(hazard: dict, existing: dict | None, now: str) -> dict | None:
    """The case to write for a filed hazard, or None when nothing changes (or the loop has moved on:
    then the case is the supervisors', and the phone's later words do not reach it)."""
    copies = _copies(hazard)
    if existing is not None:
        if existing.get("state") != "found" or all(existing.get(k) == v for k, v in copies.items()):
            return None
        return {**existing, **copies}
    return {"_id": case_id(hazard["_id"]), "type": "hazard_case", **copies, "state": "found", "order": None,
            "orders": [], "deadline": None, "five_in_place": None, "supervised": False, "escalated_to": None,
            "rectification": None, "reinspection_task": None, "reinspections": [], "closed_at": None,
            "closed_by": None, "created_at": now, **source_of(hazard),
            "history": [{"action": "found", "from": None, "to": "found", "at": now, "by": hazard["inspector"],
                         "note": ""}]}


def hazard_counts(hazard_ids: list[str], filed: dict[str, dict]) -> dict:
    """{general, major} over the hazards of one inspection that are filed (invalid ones are not counted)."""
    counts = {"general": 0, "major": 0}
    for hazard_id in hazard_ids:
        grade = (filed.get(hazard_id) or {}).get("grade")
        if grade in counts:
            counts[grade] += 1
    return counts
