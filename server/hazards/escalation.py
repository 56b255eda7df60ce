"""Overdue rectification orders escalate to the supervisor one level up (逾期升级), recorded and audited.

Run by the worker every ESCALATE_EVERY_S seconds and by `flask --app server escalate-overdue`. A case is
overdue when it is still `ordered` the day after its deadline (working days were counted when the
deadline was set); it is escalated once per deadline, to the parent of its region (a province's own
cases stay with the province), which the register lists as escalated to that region.
"""
from __future__ import annotations

import logging
from datetime import date

from i18n import Problem
from schemas import regions
from server import audit
from server.hazards import loop
from server.listing import KeyRange, all_rows
from server.registry.store import now_iso
from sync.couch import Conflict, Database

log = logging.getLogger(__name__)
ACTOR = "system:escalation"


def overdue_cases(records: Database, today: date, prefix: str = ""):
    """Ordered cases whose deadline is before `today`, most overdue first."""
    key_range = KeyRange(("cd", prefix), "", today.isoformat())
    for row in all_rows(records, key_range, None, page=500):
        if row.get("doc"):
            yield row["doc"]


def escalate_overdue(records: Database, audit_db: Database, today: date) -> list[str]:
    """Escalate every overdue case not yet escalated for its present deadline; returns their ids.
    A case changed by someone at the same moment is left for the next run."""
    done = []
    for case in overdue_cases(records, today):
        to_region = regions.parent(case["region"]) or case["region"]
        try:
            moved = loop.escalate(case, to_region, today, ACTOR, now_iso())
        except Problem:
            continue  # already escalated for this deadline
        try:
            records.put_once(moved)
        except Conflict:
            continue
        audit.append(audit_db, ACTOR, "hazard.escalate", case["_id"],
                     {"to": to_region, "deadline": case["deadline"], "today": today.isoformat()})
        done.append(case["_id"])
    if done:
        log.info("escalated %d overdue hazards", len(done))
    return done
