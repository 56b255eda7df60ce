"""Reassigning a task (改派) by two people: one asks with a reason and a team that keeps the plan's rules,
a second (the plan's author, approver or an admin, not the one who asked) confirms; all audited."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from i18n import t
from schemas.common import StrictSchema
from server import audit
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import registry
from server.errors import ApiError
from server.plans.access import audit_db
from server.plans.dispatch import dispatch_tasks, withdraw_tasks
from server.plans.tasks_api import TaskOutSchema, _changeable
from server.plans.team_rules import team_problems
from server.registry.store import now_iso

blp = Blueprint("task_reassign", __name__, url_prefix="/api/v1/tasks", description="Reassigning tasks (改派)")


class RefuseSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=4, max=500))


def check_against_plan(ids: list[str], task: dict, plan: dict) -> None:
    """422 listing every way the proposed team breaks the plan's rules (the draw's own rules)."""
    people = registry().docs_by_id(sorted(set(ids)))
    enterprise = registry().get(f"enterprise:{task['enterprise']}")
    problems = team_problems(people, ids, enterprise, task, plan)
    if problems:
        raise ApiError("validation", errors={"inspectors": problems})


def request_reassign(data: dict, key: str) -> dict:
    """Record a request to give a task another team (served as POST /api/v1/tasks/<key>/reassign)."""
    task, plan = _changeable(key)
    check_against_plan(data["inspectors"], task, plan)
    user = current_user()
    task["reassign_request"] = {"inspectors": list(dict.fromkeys(data["inspectors"])), "reason": data["reason"],
                                "by": user["username"], "at": now_iso()}
    registry().put_once(task)
    audit.append(audit_db(), user["username"], "task.reassign_request", task["_id"],
                 {"reason": data["reason"], "before": task["inspectors"], "proposed": task["reassign_request"]["inspectors"]})
    return task


def _pending(key: str) -> tuple[dict, dict, dict]:
    task, plan = _changeable(key)
    request = task.get("reassign_request")
    if not request:
        raise ApiError("conflict", message=t("task.no_reassign_request"))
    if request["by"] == current_user()["username"]:
        raise ApiError("forbidden", message=t("task.reassign_second_person"))
    return task, plan, request


@blp.route("/<string:key>/reassign/confirm", methods=["POST"])
@require(*roles.STAFF)
@blp.response(200, TaskOutSchema)
def confirm_reassign(key):
    """A second person confirms a pending reassignment: the team changes and the phones follow."""
    task, plan, request = _pending(key)
    check_against_plan(request["inspectors"], task, plan)  # the register may have changed since the request
    before = {"inspectors": task["inspectors"], "experts": task["experts"]}
    dropped = {**task, "inspectors": [i for i in task["inspectors"] if i not in request["inspectors"]], "experts": []}
    task.update(inspectors=request["inspectors"], reassigned=True, reassign_request=None)
    registry().put_once(task)   # before the phones change: of a confirmation and a refusal at once, one goes on
    if task["status"] == "dispatched":
        withdraw_tasks([dropped])
        dispatch_tasks([task], plan)
    audit.append(audit_db(), current_user()["username"], "task.reassign", task["_id"],
                 {"reason": request["reason"], "requested_by": request["by"], "before": before,
                  "after": task["inspectors"]})
    return task


@blp.route("/<string:key>/reassign/refuse", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(RefuseSchema)
@blp.response(200, TaskOutSchema)
def refuse_reassign(data, key):
    """A second person turns a pending reassignment down, with a reason; the team stays."""
    task, _plan, request = _pending(key)
    task["reassign_request"] = None
    registry().put_once(task)
    audit.append(audit_db(), current_user()["username"], "task.reassign_refused", task["_id"],
                 {"reason": data["reason"], "requested_by": request["by"], "proposed": request["inspectors"]})
    return task

