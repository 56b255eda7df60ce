"""Re-inspection (复查) tasks: a targeted task for inspectors, dispatched like any task, outside the annual cap.

Tasks belong to one plan per region and year (`kind: "reinspection"`, no draw), carry the hazards to
look at, and reach only the team's phones. The phone answers each hazard pass or fail; approving that
inspection records the results on the cases (server/review/effects.py).
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from i18n import t
from schemas import regions
from server import audit
from server.db import database, registry
from server.accounts import roles
from server.errors import ApiError
from server.hazards import loop
from server.hazards.service import load_case, save, step, today
from server.plans.dispatch import dispatch_tasks
from server.plans.tasks_api import check_team
from server.registry.store import now_iso
from sync.couch import Conflict

CHECKLIST = "checklist:reinspection:v1"


def plan_id(region: str, year: int, kind: str = "reinspection") -> str:
    return "plan:" + hashlib.sha256(f"{kind}:{region}:{year}".encode()).hexdigest()[:16]


def plan_for(region: str, year: int, kind: str = "reinspection", name_key: str = "reinspection.plan_name") -> dict:
    """The region's standing plan of the year for targeted tasks of `kind` (re-inspections, report
    verifications), made the first time it is needed; no person "wrote" it (author `system:<kind>`)."""
    doc_id = plan_id(region, year, kind)
    plan = registry().get_or_none(doc_id)
    if plan:
        return plan
    system = f"system:{kind}"   # not a username (a colon is not allowed in one)
    plan = {"_id": doc_id, "type": "plan", "kind": kind, "status": "dispatched",
            "name": t(name_key, "zh_CN", region=regions.name(region) or region, year=year),
            "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"}, "author": system, "approver": system,
            "author_region": region, "rules": {"scope": {"regions": [region]}}, "draws": [], "next_task": 0,
            "created_at": now_iso()}
    try:
        registry().create(plan)
    except Conflict:  # made by a concurrent request a moment ago
        return registry().get(doc_id)
    return plan


def next_task_id(plan: dict) -> str:
    """The plan's next task number, moved with the plan's revision (409 → read again, try again)."""
    doc_id = plan["_id"]
    for _attempt in range(100):
        plan["next_task"] = plan.get("next_task", 0) + 1
        try:
            registry().put_once(plan)   # two racers never get one number
            return f"task:{doc_id[5:]}:{plan['next_task']:05d}"
        except Conflict:
            plan.clear()
            plan.update(registry().get(doc_id))
    raise ApiError("conflict", message=t("hazard.conflict"))


def _cases(user: dict, keys: list[str]) -> list[dict]:
    cases = [load_case(user, key, write=True) for key in dict.fromkeys(keys)]
    if len({c["enterprise"] for c in cases}) != 1:
        raise ApiError("validation", errors={"cases": [t("reinspection.one_enterprise")]})
    for case in cases:
        step(case, loop.schedule_reinspection, "check", user["username"], now_iso())  # refuses early
    return cases


def check_regions(inspectors: list[str], region: str) -> None:
    """Inspectors of another county are refused: each must belong to the case's county or a region above
    it (the city or province bureau may send its own people)."""
    people = registry().docs_by_id(sorted(set(inspectors)))
    outside = [p.get("name") or pid for pid, p in people.items()
               if not roles.in_scope({"role": roles.INSPECTOR, "region": p.get("region") or ""}, region)]
    if outside:
        raise ApiError("validation", errors={"inspectors": [
            t("security.inspector_other_region", person=name, region=regions.name(region) or region)
            for name in outside]})


def schedule(user: dict, keys: list[str], inspectors: list[str], window_days: int) -> dict:
    """One task for rectified cases of one enterprise, dispatched to the chosen team at once."""
    cases = _cases(user, keys)
    first = cases[0]
    check_team(inspectors, {"enterprise": first["enterprise"]})
    check_regions(inspectors, first["region"])
    start = today()
    plan = plan_for(user["region"], start.year)
    task = {"_id": next_task_id(plan), "type": "task", "kind": "reinspection", "plan": plan["_id"], "draw": None,
            "year": start.year, "enterprise": first["enterprise"], "enterprise_name": first.get("enterprise_name", ""),
            "region": first["region"], "site": first.get("site") or f"site:{first['enterprise']}:01",
            "tier": "reinspection", "random": False, "counts_toward_cap": False,
            "inspectors": list(dict.fromkeys(inspectors)), "experts": [],
            "window": {"start": start.isoformat(), "end": (start + timedelta(days=window_days)).isoformat()},
            "checklist": CHECKLIST, "status": "dispatched", "created_at": now_iso(), "created_by": user["username"],
            "hazards": [{"case": c["_id"], "hazard": c["hazard"], "description": c["description"],
                         "location": c.get("location", ""), "grade": c["grade"], "deadline": c.get("deadline"),
                         "deadline_provisional": bool(c.get("deadline_provisional"))}
                        for c in cases]}
    registry().put(task)
    dispatch_tasks([task], plan)
    for case in cases:
        save(step(case, loop.schedule_reinspection, task["_id"], user["username"], now_iso()), user["username"],
             {"task": task["_id"]})
    audit.append(database("audit"), user["username"], "task.reinspection", task["_id"],
                 {"cases": [c["_id"] for c in cases], "inspectors": task["inspectors"]})
    return task
