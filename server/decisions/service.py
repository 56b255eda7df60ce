"""Issuing a 现场处理措施决定书: which measures exist, what they require, and the decision document.

`decision:<uuid>` (`type: onsite_decision`) in `records`: `number` (应急现决, taken in the issuing bureau's
sequence: server/documents/issuer.py), `inspection`, `enterprise`, `enterprise_name`, `region` (the
enterprise's), `issuer_region`, `site`, `items` [{case, hazard, description, location, grade}],
`measures` [codes of MEASURES], `note` (what exactly is to be done, free text), `issued_at`, `issued_by`,
`issued_by_name`, `signatures` (always empty here: console signatures live in server/signing).
A decision moves no hazard case: it is the on-the-spot act, the rectification order follows.
"""
from __future__ import annotations

import uuid

from i18n import t
from server import audit, numbering
from server.db import database, registry
from server.documents import issuer
from server.errors import ApiError
from server.registry.store import now_iso
from server.review.service import hazards_of, load_inspection, records

# code → (the measure as the decision states it, the item of 安全生产法 第六十五条第一款, major hazards only)
MEASURES = {
    "correct_now": ("对检查中发现的安全生产违法行为当场予以纠正", "（二）", False),
    "remove_now": ("责令立即排除上述事故隐患", "（三）", False),
    "evacuate": ("责令从危险区域内撤出作业人员", "（三）", True),
    "suspend": ("责令暂时停产停业", "（三）", True),
    "stop_equipment": ("责令停止使用相关设施、设备", "（三）", True),
}
MAX_NOTE = 500
DECIDABLE = ("pending", "returned", "approved")   # filed and not rejected: the inspection took place


def check(inspection: dict, hazards: list[dict], case_keys: list[str], measures: list[str], note: str) -> list[dict]:
    """The chosen hazards (cases) of this inspection, or a 422 naming what is wrong."""
    errors = {}
    if inspection.get("review_status") not in DECIDABLE:
        raise ApiError("conflict", message=t("decision.not_decidable"))
    by_case = {(h.get("case") or {}).get("_id", "").split(":", 1)[-1]: h for h in hazards if h.get("case")}
    chosen = [by_case.get(k) for k in dict.fromkeys(case_keys)]
    if not case_keys or None in chosen or len(case_keys) > 50:
        errors["cases"] = [t("decision.cases_invalid")]
    unknown = [m for m in measures if m not in MEASURES]
    if not measures or unknown or len(measures) > len(MEASURES):
        errors["measures"] = [t("decision.measures_invalid")]
    elif None not in chosen and any(MEASURES[m][2] for m in measures) and not any(
            h.get("grade") == "major" for h in chosen):
        errors["measures"] = [t("decision.major_only")]
    if len(note) > MAX_NOTE:
        errors["note"] = [t("decision.note_too_long", max=MAX_NOTE)]
    if errors:
        raise ApiError("validation", errors=errors)
    return chosen


def issue(user: dict, key: str, case_keys: list[str], measures: list[str], note: str) -> dict:
    """Check everything first, then take the number (a failure after it leaves an honest gap), write, audit."""
    inspection = load_inspection(user, key, write=True)
    chosen = check(inspection, hazards_of(inspection["_id"]), case_keys, measures, note.strip())
    region = issuer.for_inspection(records(), registry(), inspection) or user["region"]
    number = numbering.next_number(records(), "decision", region)["number"]
    doc = {"_id": f"decision:{uuid.uuid4()}", "type": "onsite_decision", "number": number,
           "inspection": inspection["_id"], "enterprise": inspection.get("enterprise"),
           "enterprise_name": inspection.get("enterprise_name", ""), "region": inspection.get("region"),
           "issuer_region": region, "authority_rule": 1, "site": inspection.get("site"),
           "items": [{"case": h["case"]["_id"], "hazard": h["_id"], "description": h.get("description", ""),
                      "location": h.get("location", ""), "grade": h.get("grade")} for h in chosen],
           "measures": [m for m in MEASURES if m in measures], "note": note.strip(),
           "issued_at": now_iso(), "issued_by": user["username"], "issued_by_name": user.get("display_name", ""),
           "signatures": []}
    records().put(doc)
    audit.append(database("audit"), user["username"], "decision.issue", doc["_id"],
                 {"number": number, "inspection": inspection["_id"], "cases": len(chosen), "measures": doc["measures"]})
    return doc


def decisions_of(inspection_id: str) -> list[dict]:
    found = records().find({"type": "onsite_decision", "inspection": inspection_id}, limit=100)
    return sorted(found, key=lambda d: d.get("issued_at") or "")
