"""The workbench's counts, each bounded: a key range of the console view or one indexed Mango query, read up
to CAP rows (a count beyond shows as "CAP+"), and always inside the reader's region."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from server.accounts import roles
from server.db import database, registry
from server.hazards.loop import OPEN_STATES
from server.listing import DDOC, HIGH, VIEW
from server.plans.access import may_see_plan
from server.plans.console_publication import due, my_dispatched_plans

CAP = 99           # a count beyond shows as "99+": a workbench needs "many", not 437, and stays cheap
DUE_SOON_DAYS = 7
PHONE_QUIET_DAYS = 3
SUPERVISED, INSPECTION = 4, 11    # positions in a case row of the console view (挂牌督办 flag, inspection id)


def _rows(family: list, low, high, limit: int = CAP + 1) -> list[dict]:
    return database("records").view(DDOC, VIEW, startkey=[*family, low], endkey=[*family, high],
                                    limit=limit)["rows"]


def _count(rows: list) -> dict:
    return {"n": min(len(rows), CAP), "more": len(rows) > CAP}


def to_review(prefix: str) -> dict:
    """Submitted inspections waiting for review (审核) in my region."""
    return _count(_rows(["q", "pending", prefix], "", HIGH))


def found_without_order(prefix: str) -> dict:
    """Hazards of approved records with no rectification order yet (cases still `found` whose inspection
    was approved; those of records waiting for review are counted there)."""
    rows = _rows(["c", "found", prefix], "", HIGH)
    inspections = sorted({r["value"][INSPECTION] for r in rows if r["value"][INSPECTION]})
    docs = database("records").docs_by_id(inspections) if inspections else {}
    # a hazard no inspection found (an enterprise's self-report accepted by the bureau) waits for its order too
    return _count([r for r in rows if not r["value"][INSPECTION]
                   or (docs.get(r["value"][INSPECTION]) or {}).get("review_status") == "approved"])


def orders(prefix: str, today: date) -> tuple[dict, dict]:
    """Ordered hazards past their deadline, and those due within DUE_SOON_DAYS."""
    overdue = _rows(["cd", prefix], "", today.isoformat())
    soon = _rows(["cd", prefix], today.isoformat(), (today + timedelta(days=DUE_SOON_DAYS + 1)).isoformat())
    return _count(overdue), _count(soon)


def supervised(prefix: str) -> dict:
    """Open 挂牌督办 cases (major hazards under supervision) in my region."""
    rows = []
    for state in OPEN_STATES:
        rows += [r for r in _rows(["cm", state, prefix], "", HIGH) if r["value"][SUPERVISED]]
        if len(rows) > CAP:
            break
    return _count(rows)


def plans_to_approve(user: dict) -> dict:
    """Drawn plans naming me as approver, re-draw requests on my plans made by someone else, and
    reassignments of their tasks asked for by someone else."""
    drawn = registry().find({"type": "plan", "status": "drawn", "approver": user["username"]}, limit=CAP + 1)
    asked = registry().find({"type": "plan", "status": {"$in": ["drawn", "approved"]},
                             "redraw_request.by": {"$gt": None, "$ne": user["username"]}}, limit=CAP + 1)
    from server.plans.console_reassign import count as reassignments   # 改派 asked by someone else
    ids = {p["_id"] for p in drawn} | {p["_id"] for p in asked if may_see_plan(user, p)}
    return _count(list(ids) + reassignments(user, CAP + 1))


def publications(today: date) -> tuple[dict, dict]:
    """Results of random checks of my dispatched plans still to publish, and those already late."""
    plans = my_dispatched_plans()
    if not plans:
        return _count([]), _count([])
    tasks = registry().find({"type": "task", "plan": {"$in": sorted(plans)}, "status": {"$in": ["dispatched", "done"]},
                             "random": True}, limit=CAP + 1,
                            fields=["_id", "plan", "status", "window", "result"])
    late = [t for t in tasks if (d := due(t, plans[t["plan"]])) is not None and d < today]
    return _count(tasks), _count(late)


def quiet_phones(user: dict, now: datetime | None = None) -> dict:
    """Inspectors' phones in my region not seen for PHONE_QUIET_DAYS days."""
    now = now or datetime.now(timezone.utc)
    limit = (now - timedelta(days=PHONE_QUIET_DAYS)).isoformat(timespec="seconds")
    # Indexed by (type, last_seen): only the quiet phones are read, never every phone or record.
    phones = database("records").find({"type": "phone", "last_seen": {"$lt": limit}}, limit=5000,
                                      fields=["_id", "inspector", "last_seen"])
    quiet = [p for p in phones if p.get("inspector")]
    people = registry().docs_by_id(sorted({p["inspector"] for p in quiet})) if quiet else {}
    return _count([p for p in quiet if roles.in_scope(user, (people.get(p["inspector"]) or {}).get("region"))])


def selfreports(user: dict) -> dict:
    """Enterprise self-reports (企业自查) submitted in my region and waiting for review."""
    from server.enterprise_portal.store import count_waiting
    return _count(count_waiting(user, CAP + 1))


def reports_waiting(prefix: str) -> dict:
    """Public reports (举报) in my region waiting for triage (not decided, not marked duplicate)."""
    rows = database("reports").view(DDOC, VIEW, startkey=["r", "open", prefix, HIGH], endkey=["r", "open", prefix, ""],
                                    descending=True, limit=CAP + 1)["rows"]
    return _count(rows)


def all_counts(user: dict, today: date) -> dict:
    prefix = roles.scope_prefix(user)
    overdue, soon = orders(prefix, today)
    due_now, late = publications(today)
    return {"to_review": to_review(prefix), "found": found_without_order(prefix), "orders_overdue": overdue,
            "orders_due": soon, "supervised": supervised(prefix), "plans": plans_to_approve(user),
            "publications_due": due_now, "publications_late": late, "quiet_phones": quiet_phones(user),
            "rewards": rewards_to_approve(user), "selfreports": selfreports(user),
            "reports": reports_waiting(prefix)}


def rewards_to_approve(user: dict) -> dict:
    """举报奖励 proposed by someone else in my region, waiting for a second person's approval."""
    from server.reports.rewards import to_approve
    return _count(to_approve(user, CAP + 1))
