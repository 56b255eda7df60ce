"""API for tasks: a team's own tasks once dispatched, the result hook that publishes (一公开), overdue ones."""
from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint
from marshmallow import fields, validate

from i18n import t
from schemas.common import StrictSchema
from schemas.plans import ResultSchema
from server import audit
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import database, registry
from server.errors import ApiError
from server.plans import publication
from server.plans.access import audit_db, load_task, may_see_plan, on_team
from server.plans.dispatch import dispatch_tasks, withdraw_tasks

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Inspection tasks")


class TaskOutSchema(StrictSchema):
    id = fields.String(attribute="_id")
    plan = fields.String()
    enterprise = fields.String()
    enterprise_name = fields.String()
    region = fields.String()
    site = fields.String()
    tier = fields.String()
    random = fields.Boolean()
    inspectors = fields.List(fields.String())
    experts = fields.List(fields.String())
    window = fields.Dict()
    checklist = fields.String(allow_none=True)
    status = fields.String()
    result = fields.Dict()


class OverdueSchema(StrictSchema):
    task = fields.String()
    plan = fields.String()
    plan_name = fields.String()
    enterprise_name = fields.String()
    due = fields.String()
    status = fields.String()


@blp.route("/mine", methods=["GET"])
@require(*roles.FIELD)
@blp.response(200, TaskOutSchema(many=True))
def my_tasks():
    """The caller's dispatched tasks (nothing before dispatch)."""
    user = current_user()
    if not user.get("inspector_id"):
        return []
    found: dict[str, dict] = {}
    for role_field in ("inspectors", "experts"):  # two queries: pouchdb-server's Mango has no working $or
        for doc in registry().find({"type": "task", "status": {"$in": ["dispatched", "done", "published"]},
                                    role_field: {"$elemMatch": {"$eq": user["inspector_id"]}}}, limit=10_000):
            found[doc["_id"]] = doc
    mine = [d for d in found.values() if on_team(user, d)]
    audit.append(audit_db(), user["username"], "task.list", "tasks", {"count": len(mine)})
    return mine


@blp.route("/<string:key>", methods=["GET"])
@require(*roles.ROLES)
@blp.response(200, TaskOutSchema)
def get_task(key):
    """One task (its team after dispatch; the plan's author and approver; admins). Viewing is logged."""
    return load_task(key)[0]


@blp.route("/<string:key>/result", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(ResultSchema)
@blp.response(200, TaskOutSchema)
def record_result(data, key):
    """Mark a reviewed inspection's result ready; results of random checks are published at once."""
    task, plan = _changeable(key, ("dispatched", "done"))
    result = ResultSchema().dump(data)
    published = publication.publish(database("public"), registry(), task, plan, result)
    audit.append(audit_db(), current_user()["username"], "task.result", task["_id"],
                 {"published": bool(published), "outcome": result["outcome"]})
    return task


@blp.route("/overdue-publications", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, OverdueSchema(many=True))
def overdue_publications():
    """Results of random checks past their publication deadline, in plans the caller may see."""
    user = current_user()
    plans = {p["_id"]: p for p in registry().find({"type": "plan", "status": {"$gt": None}}, limit=10_000)
             if may_see_plan(user, p)}
    return publication.overdue(registry(), plans, date.today())


class CancelSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=4, max=500))


class ReassignSchema(CancelSchema):
    inspectors = fields.List(fields.String(validate=validate.Regexp(r"^inspector:[0-9a-f]{12}$")),
                             required=True, validate=validate.Length(min=2, max=10))


def _changeable(key: str, allowed: tuple = ("ready", "dispatched")) -> tuple[dict, dict]:
    """A task the caller may manage (its plan's author, approver, admins) in one of the `allowed` states."""
    task, plan = load_task(key)
    if not may_see_plan(current_user(), plan):
        raise ApiError("not_found")   # out of scope answers like unknown
    if task["status"] not in allowed:
        raise ApiError("conflict", message=t("plan.wrong_state", status=task["status"], allowed="/".join(allowed)))
    return task, plan


@blp.route("/<string:key>/cancel", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(CancelSchema)
@blp.response(200, TaskOutSchema)
def cancel(data, key):
    """Cancel a task, with a reason; it leaves the phones of its team."""
    task, _plan = _changeable(key)
    task.update(status="cancelled", cancelled_reason=data["reason"], cancelled_by=current_user()["username"])
    registry().put(task)
    withdraw_tasks([task])
    audit.append(audit_db(), current_user()["username"], "task.cancel", task["_id"], {"reason": data["reason"]})
    return task


@blp.route("/<string:key>/reassign", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(ReassignSchema)
@blp.response(200, TaskOutSchema)
def reassign(data, key):
    """Give a task another team (two or more active, certified, qualified inspectors, no avoidance);
    it leaves the phones of those taken off and reaches the new members."""
    task, plan = _changeable(key)
    check_team(data["inspectors"], task)
    before = {"inspectors": task["inspectors"], "experts": task["experts"]}
    dropped = {**task, "inspectors": [i for i in task["inspectors"] if i not in data["inspectors"]], "experts": []}
    task.update(inspectors=list(dict.fromkeys(data["inspectors"])))
    registry().put(task)
    if task["status"] == "dispatched":
        withdraw_tasks([dropped])
        dispatch_tasks([task], plan)
    audit.append(audit_db(), current_user()["username"], "task.reassign", task["_id"],
                 {"reason": data["reason"], "before": before, "after": task["inspectors"]})
    return task


def check_team(ids: list[str], task: dict) -> None:
    people = registry().docs_by_id(sorted(set(ids)))
    enterprise = registry().get(f"enterprise:{task['enterprise']}")
    problems = []
    for pid in sorted(set(ids)):
        person = people.get(pid)
        if not person or person.get("kind") != "inspector" or not person.get("active", True):
            problems.append(t("task.not_an_active_inspector", person=pid))
        elif enterprise["industry"] not in person.get("sectors", []):
            problems.append(t("task.not_qualified", person=person["name"]))
        elif any(a["uscc"] == task["enterprise"] for a in person.get("avoid", [])):
            problems.append(t("task.avoidance", person=person["name"]))
    if len(set(ids)) < 2 or problems:
        raise ApiError("validation", errors={"inspectors": problems or [t("task.two_inspectors")]})
