"""Where a published result comes from (一公开): the task's filed and approved inspection, or a recorded
outcome of a check that did not take place, with its reason. Never figures typed in on their own."""
from __future__ import annotations

from i18n import t
from schemas.plans import ResultSchema
from server.db import database
from server.errors import ApiError

FIGURES = ("checked_on", "items_checked", "outcome", "hazards_general", "hazards_major", "rectification")


def _from_inspection(task: dict, inspection_id: str) -> dict:
    from server.review.effects import result_of  # the review's own reading of a record, shared
    doc = database("records").get_or_none(inspection_id)
    if not doc or doc.get("type") != "inspection" or doc.get("task") != task["_id"]:
        raise ApiError("validation", errors={"inspection": [t("result.inspection_unknown")]})
    if doc.get("review_status") != "approved":
        raise ApiError("validation", errors={"inspection": [t("result.inspection_not_approved")]})
    return result_of(doc)


def _not_inspected(data: dict) -> dict:
    if not data.get("reason") or "checked_on" not in data:
        raise ApiError("validation", errors={"reason": [t("result.not_inspected_needs_reason")]})
    return ResultSchema().dump({"checked_on": data["checked_on"], "items_checked": 0, "outcome": "not_inspected",
                                "hazards_general": 0, "hazards_major": 0, "rectification": "not_needed",
                                "reason": data["reason"]})


def result_for(task: dict, data: dict) -> dict:
    """The result to record: figures the caller sent must agree with the inspection they come from."""
    if data.get("inspection"):
        result = _from_inspection(task, data["inspection"])
        given = ResultSchema(partial=True).dump({k: data[k] for k in FIGURES if k in data})
        differ = [k for k, v in given.items() if result.get(k) != v]
        if differ:
            raise ApiError("validation", message=t("result.inconsistent"),
                           errors={k: [t("result.differs", value=str(result.get(k)))] for k in differ})
        return {**result, "inspection": data["inspection"]}
    if data.get("outcome") == "not_inspected":
        return _not_inspected(data)
    raise ApiError("validation", errors={"inspection": [t("result.needs_source")]})
