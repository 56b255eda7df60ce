"""The console's second step of a reassignment (改派): a pending request, asked for on the task page by one
supervisor, is approved or refused by another (the plan's author, approver or an admin, never the one who
asked), each confirmed first; the requests waiting for me are listed in the approval inbox.

The steps run the API's own functions (server/plans/reassign.py), so the console keeps its rules: the team
is checked again against the plan on approval, and every step is audited there.
"""
from __future__ import annotations

import inspect

from flask import Blueprint, request

from server.db import registry
from server.plans import reassign as reassign_api
from server.plans.access import may_see_plan
from server.plans.console_actions import _act
from server.registry.store import page as mango_page

bp = Blueprint("plans_reassign", __name__)
OPEN = ["ready", "dispatched"]


@bp.post("/console/tasks/<key>/reassign/confirm")
def confirm(key):
    return _act(key, "reassign_confirm", lambda: inspect.unwrap(reassign_api.confirm_reassign)(key))


@bp.post("/console/tasks/<key>/reassign/refuse")
def refuse(key):
    reason = (request.form.get("reason") or "")[:2000]
    return _act(key, "reassign_refuse", lambda: inspect.unwrap(reassign_api.refuse_reassign)(
        reassign_api.RefuseSchema().load({"reason": reason}), key), {"reason": reason})


def selector(username: str) -> dict:
    """Open tasks with a pending reassignment asked for by someone else."""
    return {"type": "task", "status": {"$in": OPEN}, "reassign_request.by": {"$gt": None, "$ne": username}}


def mine(tasks: list[dict], user: dict) -> list[dict]:
    """Those of plans the user may decide on (author, approver, admins), with the plan and the names."""
    plans = registry().docs_by_id(sorted({t["plan"] for t in tasks})) if tasks else {}
    kept = [t for t in tasks if t["plan"] in plans and may_see_plan(user, plans[t["plan"]])]
    people = registry().docs_by_id(sorted({p for t in kept for p in t["reassign_request"]["inspectors"]})) \
        if kept else {}
    return [{"task": t, "plan": plans[t["plan"]],
             "names": [people.get(p, {}).get("name", p) for p in t["reassign_request"]["inspectors"]]}
            for t in kept]


def waiting(user: dict, number: int, per_page: int) -> dict:
    """One page of the reassignments waiting for this user's decision (the approval inbox)."""
    found = mango_page(registry(), selector(user["username"]), number, per_page)
    found["items"] = mine(found["items"], user)
    return found


def count(user: dict, limit: int) -> list[str]:
    """Ids of up to `limit` reassignments waiting for this user (the workbench)."""
    return [r["task"]["_id"] for r in mine(registry().find(selector(user["username"]), limit=limit), user)]
