"""Rectification orders (责令限期整改指令书): one order for some hazards of an approved inspection, each with
its own deadline in working days; issuing takes a 应急责改 number and moves each case to `ordered`."""
from __future__ import annotations

import uuid
from datetime import date

from i18n import Problem, t
from server import audit, numbering
from server.accounts import roles
from server.db import database, registry
from server.documents import issuer
from server.errors import ApiError
from server.hazards import loop
from server.hazards.service import UUID_RE, records, refusal, step, today
from server.registry.store import now_iso
from server.review.service import load_inspection


def load_order(user: dict, key: str) -> dict:
    doc = records().get_or_none(f"order:{key}") if UUID_RE.fullmatch(key or "") else None
    if not doc or doc.get("type") != "rectification_order" or not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    return doc


def _cases(inspection: dict, items: list[dict]) -> list[dict]:
    wanted = [f"case:{item['case']}" for item in items]
    if len(set(wanted)) != len(wanted):
        raise ApiError("validation", errors={"items": [t("order.duplicate_case")]})
    found = records().docs_by_id(wanted)
    cases = []
    for case_id in wanted:
        case = found.get(case_id)
        if not case or case.get("type") != "hazard_case" or case.get("inspection") != inspection["_id"]:
            raise ApiError("validation", errors={"items": [t("order.case_not_of_inspection", case=case_id[5:])]})
        cases.append(case)
    return cases


def _ordered(case: dict, item: dict, order_id: str, by: str, at: str, day) -> dict:
    """The case under the order: its deadline counted from `day` (provisional past the announced years,
    with the rule kept so that it can be recounted once the year's notice is entered)."""
    try:
        marked = loop.order_deadline(day, item["days"])
    except Problem as exc:
        raise refusal(exc) from None
    rule = {"from": day.isoformat(), "days": item["days"], "unit": "working"}
    return step(case, loop.order, order_id, marked.day, by, at, today=day, provisional=marked.provisional,
                rule=rule)


def order_item(case: dict) -> dict:
    """One problem of the order as the document prints it, its deadline marked 暂定 while provisional."""
    return {"case": case["_id"], "hazard": case["hazard"], "description": case["description"],
            "location": case.get("location", ""), "grade": case["grade"], "deadline": case["deadline"],
            "deadline_provisional": bool(case.get("deadline_provisional")),
            "five_deadline": loop.five_deadline(case) if case["grade"] == "major" else None}


def default_days(case: dict, day) -> int:
    """The order length the form proposes: for a major hazard the one that reaches its 五到位 deadline
    (0 if none can: the five in place must be changed first), else 5 working days."""
    five = loop.five_deadline(case) if case.get("grade") == "major" else None
    if not five:
        return 5
    return loop.working_days_until(day, date.fromisoformat(five))


def order_rows(cases: list[dict]) -> list[dict]:
    """The order form's rows: what it proposes for each case, and why a case cannot be ordered now, so that
    the form never pre-selects what issuing would refuse."""
    day, rows = today(), []
    for case in cases:
        days = default_days(case, day)
        blocked = ("five_missing" if case.get("grade") == "major" and loop.missing_five(case)
                   else "five_past" if days == 0 else None)
        rows.append({"case": case, "key": case["_id"].split(":", 1)[1], "days": days or 1, "blocked": blocked,
                     "five": loop.five_deadline(case) if case.get("grade") == "major" else None})
    return rows


def issue(user: dict, data: dict) -> dict:
    """Issue the order: every case checked first (five in place for major ones), then the number taken,
    the cases moved (all or none), and the order written."""
    inspection = load_inspection(user, data["inspection"], write=True)
    if inspection.get("review_status") != "approved":
        raise ApiError("conflict", message=t("order.inspection_not_approved"))
    cases = _cases(inspection, data["items"])
    order_id = f"order:{uuid.uuid4()}"
    at = now_iso()
    day = today()
    moved = [_ordered(case, item, order_id, user["username"], at, day) for case, item in zip(cases, data["items"])]
    region = issuer.for_inspection(records(), registry(), inspection) or user["region"]  # one bureau per case
    return _issued(user, inspection, cases, moved, order_id, region, at)


def _issued(user: dict, source: dict, cases: list[dict], moved: list[dict], order_id: str, region: str,
            at: str) -> dict:
    """Number the order, move its cases (all or none), write it and audit each step. `source` is the
    inspection, or for a hazard no inspection found (an enterprise's self-report) the case itself."""
    number = numbering.next_number(records(), "order", region)["number"]
    _move_all(cases, moved)
    order = {"_id": order_id, "type": "rectification_order", "number": number,
             "inspection": source["_id"] if source.get("type") == "inspection" else None,
             "enterprise": source["enterprise"], "enterprise_name": source.get("enterprise_name", ""),
             "region": source["region"], "site": source.get("site"),
             "items": [order_item(c) for c in moved],
             "issued_at": at, "issued_by": user["username"], "issued_by_name": user.get("display_name", ""),
             "issuer_region": region, "authority_rule": 1, "signatures": []}
    records().put(order)
    audit_db = database("audit")
    for case in moved:
        audit.append(audit_db, user["username"], "hazard.order", case["_id"],
                     {"from": case["history"][-1]["from"], "to": "ordered", "order": order_id,
                      "deadline": case["deadline"], "provisional": case["deadline_provisional"],
                      "number": number})
    audit.append(audit_db, user["username"], "order.issue", order_id, {"number": number, "cases": len(moved)})
    return order


def _move_all(before: list[dict], after: list[dict]) -> None:
    """All cases move or none does: one that was changed meanwhile puts the others back and refuses."""
    results = records().bulk_docs(after)
    if not any("error" in r for r in results):
        for case, result in zip(after, results):
            case["_rev"] = result["rev"]
        return
    undo = [{**old, "_rev": r["rev"]} for old, r in zip(before, results) if "error" not in r]
    if undo:
        records().bulk_docs(undo)
    raise ApiError("conflict", message=t("hazard.conflict"))


def reorder(user: dict, key: str, days: int) -> dict:
    """After a failed re-inspection: the same case under a new order of its own (a new number)."""
    case = records().get_or_none(f"case:{key}") if UUID_RE.fullmatch(key or "") else None
    if not case or case.get("type") != "hazard_case":
        raise ApiError("not_found")
    if not roles.in_scope(user, case.get("region")):
        raise ApiError("not_found")   # out of scope answers like unknown
    if not case.get("inspection"):   # reported by the enterprise itself (企业自查): no inspection to go by
        order_id, at = f"order:{uuid.uuid4()}", now_iso()
        moved = _ordered(case, {"days": days}, order_id, user["username"], at, today())
        region = issuer.for_case(records(), registry(), case) or user["region"]
        return _issued(user, case, [case], [moved], order_id, region, at)
    return issue(user, {"inspection": case["inspection"].split(":", 1)[1],
                        "items": [{"case": key, "days": days}]})

