"""Recounting provisional (暂定) deadlines once their year's notice is known: hazard cases and their orders.

An order's deadline counted into a year nobody had announced was counted by rule and stored with the
rule that made it (`deadline_rule`: from, days, unit). When the notice is entered, each such case is
counted again; a changed deadline is written to the case (with a line in its history) and to the
order's item, and every page of changes is audited. Work goes in pages keyed by document id, so a
request does one bounded page and the command (`flask recount-deadlines`) walks them all.
"""
from __future__ import annotations

import copy
import time
from datetime import date

from server import audit
from server.calendar.workdays import deadline
from server.registry.store import now_iso
from sync.couch import Conflict, Database

PAGE = 100


def recounted(case: dict, by: str, at: str, extra: dict | None = None) -> dict | None:
    """The case with its deadline counted again (pure), or None when nothing changes or it has no rule."""
    rule = case.get("deadline_rule") or {}
    if not case.get("deadline_provisional") or not rule.get("from") or not isinstance(rule.get("days"), int):
        return None
    marked = deadline(date.fromisoformat(rule["from"]), rule["days"], rule.get("unit", "working"), extra)
    if marked.provisional and marked.day.isoformat() == case.get("deadline"):
        return None
    new = copy.deepcopy(case)
    new.update(deadline=marked.day.isoformat(), deadline_provisional=marked.provisional)
    new.setdefault("history", []).append({"action": "recount_deadline", "from": case.get("state"),
                                          "to": case.get("state"), "at": at, "by": by,
                                          "note": f"{case.get('deadline')} → {marked.day.isoformat()}"})
    return new


def provisional_cases(records: Database, after: str = "", limit: int = PAGE) -> list[dict]:
    """Cases whose deadline is provisional, in id order after `after` (the page's cursor)."""
    return records.find({"type": "hazard_case", "deadline_provisional": True, "_id": {"$gt": after or "case:"}},
                        limit=limit, sort=[{"_id": "asc"}])


def _update_orders(records: Database, changed: list[dict]) -> int:
    """Each changed case's item in its order gets the new deadline; an order changed meanwhile is read
    again and retried once (a second conflict leaves it for the next run, which finds it unchanged)."""
    by_order: dict[str, dict[str, dict]] = {}
    for case in changed:
        if case.get("order"):
            by_order.setdefault(case["order"], {})[case["_id"]] = case
    written = 0
    for order_id, cases in by_order.items():
        for _attempt in range(2):
            order = records.get_or_none(order_id)
            if not order:
                break
            for item in order.get("items") or []:
                case = cases.get(item.get("case"))
                if case:
                    item.update(deadline=case["deadline"], deadline_provisional=case["deadline_provisional"])
            try:
                records.put_once(order)
                written += 1
                break
            except Conflict:
                continue
    return written


def recount_page(records: Database, audit_db: Database, actor: str, after: str = "", limit: int = PAGE) -> dict:
    """One page: recount, write what changed (a case changed meanwhile is skipped), audit the page."""
    cases = provisional_cases(records, after, limit)
    at = now_iso()
    changed, skipped = [], 0
    for case in cases:
        new = recounted(case, actor, at)
        if new is None:
            continue
        try:
            records.put_once(new)
            changed.append(new)
        except Conflict:
            skipped += 1
    orders = _update_orders(records, changed)
    if changed:
        audit.append(audit_db, actor, "calendar.recount", "hazards",
                     {"cases": len(changed), "orders": orders, "skipped": skipped,
                      "changes": [{"case": c["_id"], "deadline": c["deadline"],
                                   "provisional": c["deadline_provisional"]} for c in changed[:100]]})
    return {"seen": len(cases), "changed": len(changed), "orders": orders, "skipped": skipped,
            "next": cases[-1]["_id"] if len(cases) == limit else None}


def recount(records: Database, audit_db: Database, actor: str, budget_s: float | None = None,
            limit: int = PAGE) -> dict:
    """Pages until none is left or `budget_s` is spent; `next` says where a later run goes on."""
    total = {"seen": 0, "changed": 0, "orders": 0, "skipped": 0, "next": None}
    started, after = time.monotonic(), ""
    while True:
        page = recount_page(records, audit_db, actor, after, limit)
        for key in ("seen", "changed", "orders", "skipped"):
            total[key] += page[key]
        total["next"] = after = page["next"]
        if not after or (budget_s is not None and time.monotonic() - started >= budget_s):
            return total
