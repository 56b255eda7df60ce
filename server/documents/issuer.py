"""One issuing authority per case (一案一机关): whose name, seal and number a case's documents bear.

The rule (docs/decisions/0013): the bureau that organised the inspection issues every document of the
case — 现场检查记录, 现场处理措施决定书, 责令限期整改指令书, 整改复查意见书 — in its own name, under its
own seal and in its own number sequence (`(济南)…` for 济南市应急管理局):
1. an inspection of a plan is the plan's: the plan author's region (`author_region`), when the
   inspected enterprise lies in it;
2. otherwise (no plan, a plan of another region) the enterprise's region (`region` of the record);
3. a re-inspection (复查) belongs to the case it checks, so it takes the region of the case's inspection;
   an order, a decision or an opinion takes the region of the inspection its case came from.
The region found is written on the documents as `issuer_region` when they take their number, and read
back from there afterwards, so a later change of a plan cannot move a document to another bureau.
The bureau's words (name, reconsideration, court) come from DOC_AUTHORITIES for that region
(server/documents/authorities.py).
"""
from __future__ import annotations

from schemas import regions
from sync.couch import Database


def _known(code) -> str | None:
    return code if isinstance(code, str) and regions.is_known(code) else None


def for_inspection(records: Database, registry: Database, inspection: dict, depth: int = 0) -> str | None:
    """The issuing region of an inspection record (see the module's rule); None if nothing names one."""
    stored = _known(inspection.get("issuer_region"))
    if stored:
        return stored
    own = _known(inspection.get("region"))
    if inspection.get("task_kind") == "reinspection" and depth == 0:
        case = _reinspected_case(records, registry, inspection)
        if case is not None:
            return for_case(records, registry, case, depth + 1) or own
    plan_id = inspection.get("plan")
    plan = registry.get_or_none(plan_id) if isinstance(plan_id, str) and plan_id.startswith("plan:") else None
    author = _known((plan or {}).get("author_region"))
    if plan and plan.get("kind") != "reinspection" and author and (own is None or regions.within(own, author)):
        return author
    return own


def for_case(records: Database, registry: Database, case: dict, depth: int = 0) -> str | None:
    """A hazard case's issuing region: that of the inspection that found it (its own region otherwise)."""
    stored = _known(case.get("issuer_region"))
    if stored:
        return stored
    inspection_id = case.get("inspection")
    inspection = records.get_or_none(inspection_id) if isinstance(inspection_id, str) else None
    if inspection and inspection.get("type") == "inspection":
        found = for_inspection(records, registry, inspection, depth)
        if found:
            return found
    return _known(case.get("region"))


def for_order(records: Database, registry: Database, order: dict) -> str | None:
    """An order's: the region stored when it was numbered (issued after this rule), else its inspection's."""
    if order.get("authority_rule") and _known(order.get("issuer_region")):
        return order["issuer_region"]
    inspection_id = order.get("inspection")
    inspection = records.get_or_none(inspection_id) if isinstance(inspection_id, str) else None
    if inspection and inspection.get("type") == "inspection":
        return for_inspection(records, registry, inspection) or _known(order.get("region"))
    return _known(order.get("region"))


def _reinspected_case(records: Database, registry: Database, inspection: dict) -> dict | None:
    task_id = inspection.get("task")
    task = registry.get_or_none(task_id) if isinstance(task_id, str) and task_id.startswith("task:") else None
    for entry in (task or {}).get("hazards") or []:
        case_id = entry.get("case") if isinstance(entry, dict) else None
        case = records.get_or_none(case_id) if isinstance(case_id, str) and case_id.startswith("case:") else None
        if case and case.get("type") == "hazard_case":
            return case
    return None
