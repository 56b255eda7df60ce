"""The hazard register (隐患台账): filters read as one key range of the console view, pages, and the export."""
from __future__ import annotations

from datetime import date

from i18n import t
from schemas import regions
from schemas.sectors import label as sector_label
from server.listing import KeyRange, all_rows, day_bounds, narrowed_prefix, scan
from server.registry import tabular
from sync.couch import Database

# Positions in the value of a case row (sync/ddocs/records/console/views/index/map.js).
STATE, GRADE, REGION, SECTOR, SUPERVISED, DEADLINE, ESCALATED, FOUND, NAME, DESCRIPTION, LOCATION, INSPECTION, \
    PROVISIONAL, SOURCE, LEVEL = range(15)
EXPORT_MAX_ROWS = 100_000


def plan_query(args: dict, scope: str, today: date) -> tuple[KeyRange, object] | None:
    """Key range and row filter for the register's filters inside `scope`; None when nothing can match.

    overdue → by deadline (most overdue first); escalated_to → the cases escalated to that region;
    major or supervised → the major family; a sector → the sector family; otherwise state and region. Newest first.
    """
    prefix = narrowed_prefix(scope, args.get("region"))
    if prefix is None:
        return None
    state = args.get("state") or "*"
    low, high = day_bounds(args.get("from_"), args.get("to"))
    checks = []
    if args.get("overdue"):
        key_range = KeyRange(("cd", prefix), "", today.isoformat())
        checks.append(lambda v: low <= v[FOUND] < high)
    elif args.get("escalated_to"):
        if not args["escalated_to"].startswith(scope):
            return None
        key_range = KeyRange(("ce", args["escalated_to"]), low, high, descending=True)
        checks.append(lambda v: v[REGION].startswith(prefix))
    elif args.get("grade") == "major" or args.get("supervised"):
        key_range = KeyRange(("cm", state, prefix), low, high, descending=True)
    elif args.get("sector"):
        key_range = KeyRange(("cs", args["sector"], state, prefix), low, high, descending=True)
    else:
        key_range = KeyRange(("c", state, prefix), low, high, descending=True)
    family = key_range.fixed[0]
    if state != "*" and family in ("cd", "ce"):
        checks.append(lambda v: v[STATE] == state)
    if args.get("grade") and family != "cm":
        checks.append(lambda v: v[GRADE] == args["grade"])
    if args.get("supervised") is not None:
        checks.append(lambda v: bool(v[SUPERVISED]) == args["supervised"])
    if args.get("overdue") is False:
        checks.append(lambda v: not (v[STATE] == "ordered" and v[DEADLINE] and v[DEADLINE] < today.isoformat()))
    checks += [lambda v: source_of(v) == args["source"]] if args.get("source") else []
    if args.get("sector") and family != "cs":
        checks.append(lambda v: v[SECTOR] == args["sector"])
    keep = (lambda v: all(check(v) for check in checks)) if checks else None
    return key_range, keep


def source_of(value: list) -> str:
    """The case's source from its row; rows built before the view knew sources count as inspection."""
    return (value[SOURCE] if len(value) > SOURCE else "") or "inspection"


def item(row: dict, today: date) -> dict:
    v = row["value"]
    return {"id": row["id"].split(":", 1)[1], "state": v[STATE], "grade": v[GRADE], "region": v[REGION],
            "sector": v[SECTOR], "supervised": bool(v[SUPERVISED]), "deadline": v[DEADLINE] or None,
            "escalated_to": v[ESCALATED] or None, "found_at": v[FOUND], "enterprise_name": v[NAME],
            "description": v[DESCRIPTION], "location": v[LOCATION], "inspection": v[INSPECTION].split(":", 1)[-1],
            "overdue": v[STATE] == "ordered" and bool(v[DEADLINE]) and v[DEADLINE] < today.isoformat(),
            "deadline_provisional": len(v) > PROVISIONAL and bool(v[PROVISIONAL]), "source": source_of(v),
            "level": (v[LEVEL] if len(v) > LEVEL else "") or None}


def register_page(db: Database, args: dict, scope: str, today: date) -> dict:
    planned = plan_query(args, scope, today)
    if planned is None:
        return {"items": [], "next": None}
    key_range, keep = planned
    rows, cursor = scan(db, key_range, keep, args["limit"], args.get("cursor"))
    return {"items": [item(r, today) for r in rows], "next": cursor}


def export_row(case: dict, orders: dict[str, dict], locale: str) -> dict:
    """One line of the register as bureaus keep it (DOMAIN.md: 隐患台账 fields), words in `locale`."""
    five = case.get("five_in_place") or {}
    result = (case.get("reinspections") or [{}])[-1].get("result")
    last = (case.get("reinspections") or [{}])[-1]
    order = orders.get(case.get("order") or "", {})
    return {"enterprise_name": case.get("enterprise_name"), "uscc": case.get("enterprise"),
            "region": f"{case.get('region')} {regions.name(case.get('region')) or ''}".strip(),
            "sector": sector_label(case.get("sector") or "", locale), "description": case.get("description"),
            "location": case.get("location"), "grade": t(f"hazard.grade.{case.get('grade')}", locale),
            "state": t(f"hazard.state.{case.get('state')}", locale),
            "found_at": case.get("found_at"), "found_by": case.get("found_by"), "order_number": order.get("number"),
            "deadline": case.get("deadline"), "measures": five.get("measures"),
            "responsible": five.get("responsible"), "funds": five.get("funds"),
            "contingency": five.get("contingency"),
            "supervised": t("ui.yes" if case.get("supervised") else "ui.no", locale),
            "escalated_to": case.get("escalated_to"), "rectified_at": (case.get("rectification") or {}).get("at"),
            "reinspection": t(f"hazard.result.{result}", locale) if result else "",
            "opinion_number": last.get("opinion_number"),
            "closed_at": case.get("closed_at"), "closed_by": case.get("closed_by"),
            "source": t(f"majors.source.{case.get('source') or 'inspection'}", locale)}


def export(db: Database, args: dict, scope: str, today: date, fmt: str, locale: str) -> tuple[bytes, int]:
    """The register under these filters as CSV or XLSX (every cell text, formula triggers escaped)."""
    planned = plan_query(args, scope, today)
    cases = []
    if planned is not None:
        key_range, keep = planned
        cases = [r["doc"] for r in all_rows(db, key_range, keep, cap=EXPORT_MAX_ROWS) if r.get("doc")]
    orders = db.docs_by_id(sorted({c["order"] for c in cases if c.get("order")}))
    rows = [export_row(c, orders, locale) for c in cases]
    return tabular.write_table(rows, "hazards", fmt, locale), len(rows)
