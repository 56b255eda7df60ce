"""Who may see a plan or a task (四不两直): secret until the visit, and every look is written down."""
from __future__ import annotations

from server import audit
from server.accounts import roles
from server.accounts.guard import current_user
from server.db import database, registry
from server.errors import ApiError


def audit_db():
    return database("audit")


def may_see_plan(user: dict, plan: dict) -> bool:
    """Before dispatch: its author, its approver and admins only."""
    return user["role"] == roles.ADMIN or user["username"] in (plan["author"], plan["approver"])


def on_team(user: dict, task: dict) -> bool:
    return bool(user.get("inspector_id")) and user["inspector_id"] in task["inspectors"] + task["experts"]


def may_see_task(user: dict, task: dict, plan: dict) -> bool:
    """A task is also visible to its own team, once dispatched."""
    if may_see_plan(user, plan):
        return True
    return task["status"] in ("dispatched", "done", "published") and on_team(user, task)


def load_plan(plan_key: str, action: str = "plan.view") -> dict:
    """The plan if the caller may see it (404 otherwise, never 403: existence is secret too); logged."""
    user = current_user()
    doc = registry().get_or_none(f"plan:{plan_key}") if len(plan_key) <= 32 else None
    if not doc or doc.get("type") != "plan" or not may_see_plan(user, doc):
        raise ApiError("not_found")
    audit.append(audit_db(), user["username"], action, doc["_id"])
    return doc


def load_task(task_key: str) -> tuple[dict, dict]:
    user = current_user()
    task = registry().get_or_none(f"task:{task_key}") if len(task_key) <= 40 else None
    if not task or task.get("type") != "task":
        raise ApiError("not_found")
    plan = registry().get(task["plan"])
    if not may_see_task(user, task, plan):
        raise ApiError("not_found")
    audit.append(audit_db(), user["username"], "task.view", task["_id"])
    return task, plan
