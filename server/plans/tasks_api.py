"""API for tasks: a team's own tasks once dispatched, the result hook that publishes (一公开), overdue ones."""
from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint
from marshmallow import fields

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
    task, plan = load_task(key)
    if not may_see_plan(current_user(), plan):
        raise ApiError("forbidden")
    if task["status"] not in ("dispatched", "done"):
        raise ApiError("conflict", message=t("plan.wrong_state", status=task["status"], allowed="dispatched/done"))
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
