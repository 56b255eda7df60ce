"""The verification of a report (举报核查): a targeted, secret task for a team, made from a report decided "verify".

Like a re-inspection (server/hazards/reinspection.py) the task belongs to one plan per region and year
(`kind: "report_verification"`, no draw), is never random and never counts against the annual cap, and is
dispatched through the same dispatch to the team's phones only (四不两直: the enterprise is not told). It
carries what was seen and where, never who reported it: no identity, no receipt, not the insider flag.
"""
from __future__ import annotations

import contextlib
import re
from datetime import timedelta

from i18n import t
from server import audit
from server.accounts import roles
from server.db import database, registry
from server.errors import ApiError
from server.hazards.reinspection import check_regions, next_task_id, plan_for
from server.hazards.service import today
from server.plans.dispatch import choose_checklist, dispatch_tasks
from server.plans.tasks_api import check_team
from server.registry.checklists import all_versions
from server.registry.store import now_iso, scope_selector
from sync.couch import Conflict

KIND = "report_verification"
REPORTS = "reports"
KEY_RE = re.compile(r"^[0-9a-f]{32}$")
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
OPENABLE = ("received", "verifying")
MAX_WINDOW_DAYS = 60


def reports_db():
    """The `reports` database (never replicated to phones; made by the bootstrap of the reports feature)."""
    return database(REPORTS)


def load_report(user: dict, key: str) -> dict:
    """A report the user may handle: 404 if unknown, malformed or outside the user's region (one answer)."""
    doc = reports_db().get_or_none(f"report:{key}") if KEY_RE.fullmatch(key or "") else None
    if not doc or doc.get("type") != "report" or not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    return doc


def qualified_inspectors(user: dict, enterprise: dict) -> list[dict]:
    """Active inspectors of the supervisor's region qualified for the enterprise's sector, no avoidance."""
    found = registry().find({"type": "inspector", "region": scope_selector(roles.scope_prefix(user), None)},
                            limit=500)
    return sorted((p for p in found if p.get("active", True) and p.get("kind", "inspector") == "inspector"
                   and enterprise.get("industry") in p.get("sectors", [])
                   and roles.in_scope({"role": roles.INSPECTOR, "region": p.get("region") or ""}, enterprise["region"])
                   and not any(a.get("uscc") == enterprise["uscc"] for a in p.get("avoid", []))),
                  key=lambda p: p.get("name", ""))


def enterprise_of(report: dict, by: dict, uscc: str | None = None) -> dict:
    """The registered enterprise the check goes to: the report's, or the one the supervisor names when the
    reporter could not (it must be in the supervisor's region)."""
    wanted = report.get("enterprise") or uscc
    known = isinstance(wanted, str) and USCC_RE.fullmatch(wanted)
    doc = registry().get_or_none(f"enterprise:{wanted}") if known else None
    if not doc or doc.get("type") != "enterprise" or not roles.in_scope(by, doc.get("region")):
        raise ApiError("validation", errors={"enterprise": [t("rv.no_enterprise")]})
    return doc


def brief(report: dict) -> dict:
    """What the team is told: what was seen, where and when, and whether there are photos. Nothing about
    who reported (no identity, receipt, channel or insider flag)."""
    return {"text": str(report.get("text") or "")[:4000], "location": str(report.get("location") or "")[:300],
            "happened_on": report.get("happened_on"), "photos": len(report.get("photo_meta") or [])}


def _check_openable(report: dict) -> None:
    if report.get("status") not in OPENABLE or (report.get("verification") or {}).get("task"):
        raise ApiError("conflict", message=t("rv.not_openable"))


def _task(report: dict, by: dict, enterprise: dict, team: list[str], plan: dict, window_days: int) -> dict:
    start = today()
    site = report.get("site") if str(report.get("site") or "").startswith(f"site:{enterprise['uscc']}:") else None
    return {"_id": next_task_id(plan), "type": "task", "kind": KIND, "plan": plan["_id"], "draw": None,
            "year": start.year, "enterprise": enterprise["uscc"], "enterprise_name": enterprise.get("name", ""),
            "region": enterprise["region"], "site": site or f"site:{enterprise['uscc']}:01", "tier": KIND,
            "random": False, "counts_toward_cap": False, "causes": ["complaint"],
            "inspectors": list(dict.fromkeys(team)), "experts": [],
            "window": {"start": start.isoformat(), "end": (start + timedelta(days=window_days)).isoformat()},
            "checklist": choose_checklist(all_versions(registry()), enterprise.get("industry", ""), None),
            "status": "dispatched", "created_at": now_iso(), "created_by": by["username"],
            "report": report["_id"], "report_check": brief(report)}


def open_verification(report: dict, by: dict, team: list[str] | None, enterprise: str | None = None,
                      window_days: int = 7) -> dict:
    """Open the verification of a report and save it (status "verifying"); returns the saved report.

    With a team, a task is made and dispatched to the team's phones at once. Without one (the triage
    decided "verify" but nobody chose a team yet) the report waits on the verification page
    (/console/reports/<key>/verify) with `verification.task` null. The report's revision guards against two
    supervisors opening it at the same moment: the second is refused before any task exists."""
    if not roles.in_scope(by, report.get("region")):
        raise ApiError("not_found")
    _check_openable(report)
    at = now_iso()
    if not team:
        report.update(status="verifying", verification={"task": None, "at": at, "by": by["username"]})
        return _save(report)
    ent = enterprise_of(report, by, enterprise)
    check_team(team, {"enterprise": ent["uscc"]})
    check_regions(team, ent["region"])
    plan = plan_for(by["region"], today().year, KIND, "rv.plan_name")
    task = _task(report, by, ent, team, plan, window_days)
    report.update(status="verifying", verification={"task": task["_id"], "at": at, "by": by["username"],
                                                    "enterprise": ent["uscc"]})
    report.setdefault("history", []).append({"action": "verify", "at": at, "by": by["username"], "note": ""})
    saved = _save(report)   # first: a second, racing request is refused here and makes no task
    try:
        registry().put(task)
        dispatch_tasks([task], plan)
    except Exception:
        _release(saved, task["_id"])
        raise
    audit.append(database("audit"), by["username"], "report.verify", report["_id"],
                 {"task": task["_id"], "inspectors": task["inspectors"]})
    return saved


def _save(report: dict) -> dict:
    try:
        reports_db().put_once(report)
    except Conflict:
        raise ApiError("conflict", message=t("rv.conflict")) from None
    return report


def _release(report: dict, task_id: str) -> None:
    """The task could not be written or dispatched: the report waits for a team again (no dangling task),
    and the error goes on to the caller."""
    with contextlib.suppress(Conflict):
        made = registry().get_or_none(task_id)
        if made is not None:
            registry().put({**made, "status": "cancelled", "cancelled_reason": "dispatch failed"})
    with contextlib.suppress(Conflict):
        report.update(verification={"task": None, "at": now_iso(), "by": report["verification"]["by"],
                                    "failed_task": task_id})
        reports_db().put(report)
