"""The major-hazard list (重大事故隐患数据库): the register's major family, filtered by source, level and more.

Read as one key range of the console view (rows ['cm', state, region prefix, found_at, id]) like the hazard
register, so a page costs one view request however many cases there are; the public list of cases under
挂牌督办 is the same range over the whole country with only listed, open cases kept.
"""
from __future__ import annotations

from datetime import date

from server.hazards import register
from server.hazards.register import LEVEL, STATE, SUPERVISED
from server.listing import KeyRange, scan
from sync.couch import Database

PUBLIC_PAGE = 30


def level_of(value: list) -> str:
    return (value[LEVEL] if len(value) > LEVEL else "") or ""


def plan(args: dict, scope: str, today: date):
    """(key range, keep) for the filters inside `scope`, or None when nothing can match."""
    planned = register.plan_query({**args, "grade": "major", "supervised": None, "overdue": None,
                                   "escalated_to": None, "from_": None, "to": None}, scope, today)
    if planned is None:
        return None
    key_range, keep = planned
    level = args.get("level")
    if not level:
        return key_range, keep
    wanted = "" if level == "none" else level

    def keep_level(value: list) -> bool:
        return level_of(value) == wanted and (keep is None or keep(value))
    return key_range, keep_level


def page(db: Database, args: dict, scope: str, today: date) -> dict:
    planned = plan(args, scope, today)
    if planned is None:
        return {"items": [], "next": None}
    rows, cursor = scan(db, *planned, args["limit"], args.get("cursor"))
    return {"items": [register.item(r, today) for r in rows], "next": cursor}


def public_page(db: Database, cursor: str | None, today: date) -> tuple[list[dict], str | None]:
    """Open major hazards listed for supervision at a level, across the country, newest first."""
    def listed(value: list) -> bool:
        return bool(value[SUPERVISED]) and bool(level_of(value)) and value[STATE] != "closed"
    rows, nxt = scan(db, KeyRange(("cm", "*", ""), descending=True), listed, PUBLIC_PAGE, cursor, budget=2000)
    ids = [r["id"] for r in rows]
    docs = db.docs_by_id(ids)
    return [public_item(docs[i]) for i in ids if i in docs], nxt


def public_item(case: dict) -> dict:
    """Only what the public may read: no inspectors, reporters, internal document numbers or texts."""
    held = case.get("supervision") or {}
    return {"enterprise_name": case.get("enterprise_name") or "", "region": case.get("region") or "",
            "description": case.get("description") or "", "level": held.get("level"),
            "deadline": held.get("deadline") or case.get("deadline"), "state": case.get("state")}
