"""API for tasks: a team's own tasks once dispatched, the result hook that publishes (一公开), overdue ones."""
from __future__ import annotations


from flask_smorest import Blueprint
from marshmallow import fields, validate

from i18n import t
from schemas.common import StrictSchema
from schemas.plans import ResultRequestSchema
from server import audit, clock
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import database, registry
from server.errors import ApiError
from server.plans import publication, result_source
from server.plans.access import audit_db, load_task, may_see_plan, on_team
from server.plans.dispatch import withdraw_tasks

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
    published_at = fields.String()
    published_late = fields.Boolean()
    publication_due = fields.String()
    reassign_request = fields.Dict(allow_none=True)
    reassigned = fields.Boolean()
    counts_toward_cap = fields.Boolean()
    causes = fields.List(fields.String())   # random, or why a targeted check happens (complaint, accident …)


class OverdueSchema(StrictSchema):
    task = fields.String()
    plan = fields.String()
    plan_name = fields.String()
    enterprise_name = fields.String()
    due = fields.String()
    due_provisional = fields.Boolean()   # counted into a year whose holiday notice is not known (暂定)
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
@blp.arguments(ResultRequestSchema)
@blp.response(200, TaskOutSchema)
def record_result(data, key):
    """Record a task's result from its filed, approved inspection (or a check that did not take place,
    with its reason); results of random checks are published at once, all or nothing."""
    task, plan = _changeable(key, ("dispatched", "done"))
    result = result_source.result_for(task, data)
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
    return publication.overdue(registry(), plans, clock.today())


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
    registry().put_once(task)
    withdraw_tasks([task])
    audit.append(audit_db(), current_user()["username"], "task.cancel", task["_id"], {"reason": data["reason"]})
    return task


@blp.route("/<string:key>/reassign", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(ReassignSchema)
@blp.response(200, TaskOutSchema)
def reassign(data, key):
    """Ask to give a task another team, with a reason: the team must keep the plan's rules, and a second
    person confirms (POST …/reassign/confirm) or refuses (…/reassign/refuse) it. The task is returned
    with its pending `reassign_request`; its team changes on confirmation."""
    from server.plans.reassign import request_reassign  # the four-eyes flow lives beside its other steps
    return request_reassign(data, key)


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
