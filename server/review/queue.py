"""The review queue (待审核): which rows of the console view a set of filters reads, and how they are shown."""
from __future__ import annotations

from server.listing import KeyRange, day_bounds, narrowed_prefix, scan
from sync.couch import Database

# Positions in the value of a queue row (sync/ddocs/records/console/views/index/map.js).
STATUS, REGION, SECTOR, PLAN, VERDICT, MAJOR, GENERAL, NAME, INSPECTOR, KIND, NUMBER = range(11)


def plan_query(args: dict, scope: str) -> tuple[KeyRange, object] | None:
    """The key range and the row filter for these filters inside `scope` (a region prefix); None when
    the filters lie outside the scope, so that nothing can be shown.

    The range uses the most selective family the filters allow (a plan, a major hazard, a sector, a
    warning on the check-in, else status and region); what the range does not cover is checked on each row.
    """
    prefix = narrowed_prefix(scope, args.get("region"))
    if prefix is None:
        return None
    status = "*" if args["review_status"] == "all" else args["review_status"]
    low, high = day_bounds(args.get("from_"), args.get("to"))
    descending = status != "pending"   # the queue itself: oldest first; history: newest first
    checks = []
    if args.get("plan"):
        fixed = ("qp", args["plan"])
        checks.append(lambda v: v[REGION].startswith(prefix))
        if status != "*":
            checks.append(lambda v: v[STATUS] == status)
    elif args.get("major"):
        fixed = ("qm", status, prefix)
    elif args.get("sector"):
        fixed = ("qs", args["sector"], status, prefix)
    elif args.get("verdict") == "warning":
        fixed = ("qw", status, prefix)
    else:
        fixed = ("q", status, prefix)
    if args.get("major") is not None and fixed[0] != "qm":
        wanted = bool(args["major"])
        checks.append(lambda v: (v[MAJOR] > 0) == wanted)
    if args.get("verdict") and fixed[0] != "qw":
        checks.append(lambda v: v[VERDICT] == args["verdict"])
    if args.get("sector") and fixed[0] != "qs":
        checks.append(lambda v: v[SECTOR] == args["sector"])
    keep = (lambda v: all(check(v) for check in checks)) if checks else None
    return KeyRange(fixed, low, high, descending), keep


def item(row: dict) -> dict:
    v = row["value"]
    return {"id": row["id"].split(":", 1)[1], "review_status": v[STATUS], "region": v[REGION], "sector": v[SECTOR],
            "plan": v[PLAN], "verdict": v[VERDICT], "hazards": {"general": v[GENERAL], "major": v[MAJOR]},
            "enterprise_name": v[NAME], "inspector": v[INSPECTOR], "task_kind": v[KIND], "number": v[NUMBER],
            "submitted_at": row["key"][-2]}


def queue_page(db: Database, args: dict, scope: str) -> dict:
    """One page of the queue: {"items": [...], "next": cursor or None}."""
    planned = plan_query(args, scope)
    if planned is None:
        return {"items": [], "next": None}
    key_range, keep = planned
    rows, cursor = scan(db, key_range, keep, args["limit"], args.get("cursor"))
    return {"items": [item(r) for r in rows], "next": cursor}
