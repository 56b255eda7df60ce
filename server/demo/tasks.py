"""Demo and benchmark tasks: a dispatched plan whose tasks reach a team's phones, without a draw.

The demo city needs work on the demo inspectors' phones so that the field kit shows something the day
`make run` starts; the field kit's benchmark needs 300 tasks on one phone. Both go through the real
dispatch (`server.plans.dispatch.dispatch_tasks`), so the phones get exactly what a drawn plan sends.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from schemas.plan_rules import PlanRulesSchema
from server import clock
from server.plans.dispatch import choose_checklist, dispatch_tasks
from server.registry.checklists import all_versions
from server.registry.store import now_iso, site_id
from sync.couch import Database


def demo_plan(name: str, start: date, days: int, author: str = "jinan.sup", approver: str = "jinan.sup2") -> dict:
    return {"_id": f"plan:{uuid.uuid4().hex[:16]}", "type": "plan", "kind": "demo", "name": name,
            "status": "dispatched", "author": author, "approver": approver, "author_region": "370100",
            "period": {"start": start.isoformat(), "end": (start + timedelta(days=days)).isoformat()},
            "window_days": 1, "draws": [], "created_at": now_iso()}


def demo_rules(enterprises: list[dict], team: list[str]) -> dict:
    """The rules the demo tasks follow, in the shape every plan has (the console's plan page shows them):
    the enterprises named as targeted checks, in their regions, by a team of the demo inspectors."""
    return PlanRulesSchema().load({
        "scope": {"regions": sorted({e["region"] for e in enterprises}) or ["370100"]},
        "targeted": {"uscc": [e["uscc"] for e in enterprises]},
        "team": {"inspectors": min(max(len(team), 2), 10)}})


def make_tasks(db: Database, plan: dict, enterprises: list[dict], team: list[str], start: date,
               per_day: int = 3) -> list[dict]:
    """One task per enterprise for `team`, `per_day` of them each day from `start` (windows of one day)."""
    templates = all_versions(db)
    tasks = []
    for n, ent in enumerate(enterprises, start=1):
        day = (start + timedelta(days=(n - 1) // per_day)).isoformat()
        tasks.append({"_id": f"task:{plan['_id'][5:]}:{n:05d}", "type": "task", "plan": plan["_id"],
                      "year": start.year, "enterprise": ent["uscc"], "enterprise_name": ent.get("name", ""),
                      "region": ent["region"], "site": site_id(ent["uscc"], 1), "tier": "demo", "random": True,
                      "counts_toward_cap": True, "inspectors": list(team), "experts": [],
                      "window": {"start": day, "end": day}, "status": "dispatched",
                      "checklist": choose_checklist(templates, ent.get("industry", ""), None),
                      "created_at": now_iso(), "dispatched_at": now_iso()})
    return tasks


def dispatch_demo(db: Database, name: str, enterprises: list[dict], team: list[str], start: date | None = None,
                  per_day: int = 3) -> dict:
    """Write the plan and its tasks to the registry and dispatch them to the team's phones."""
    start = start or clock.today()
    plan = {**demo_plan(name, start, max(1, len(enterprises) // per_day)), "rules": demo_rules(enterprises, team)}
    tasks = make_tasks(db, plan, enterprises, team, start, per_day)
    db.put(plan)
    for offset in range(0, len(tasks), 500):
        db.bulk_docs(tasks[offset:offset + 500])
    written = dispatch_tasks(tasks, plan)
    return {"plan": plan["_id"], "tasks": len(tasks), "written": written}
