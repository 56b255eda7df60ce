"""API for plans and their draws (双随机): create, draw, verify, approve, re-draw, dispatch, close."""
from __future__ import annotations

from flask_smorest import Blueprint

from i18n import t
from schemas.plans import DrawOutSchema, PlanOutSchema, PlanSchema, RedrawRequestSchema, VerifyOutSchema
from server import audit
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import registry
from server.errors import ApiError
from server.plans import approval, caps, service
from server.plans.dispatch import dispatch_tasks
from server.plans.access import audit_db, load_plan, may_see_plan
from server.plans.draw import new_seed
from server.plans.errors import DrawError
from server.registry.store import now_iso

blp = Blueprint("plans", __name__, url_prefix="/api/v1/plans", description="Plans and the 双随机 draw")


def _state(plan: dict, *allowed: str) -> None:
    if plan["status"] not in allowed:
        raise ApiError("conflict", message=t("plan.wrong_state", status=plan["status"], allowed="/".join(allowed)))


def _draw(plan: dict, reason: str | None, requested_by: str | None = None) -> dict:
    try:
        return service.run_draw(registry(), audit_db(), plan, current_user(), new_seed(), reason, requested_by)
    except DrawError as exc:
        raise ApiError("validation", message=exc.message(), errors={"draw": [exc.message()]}) from None


def _require_verified(plan: dict, draw_doc: dict, odd_tasks: list[str] = ()) -> None:
    """Approval and dispatch go ahead only on a draw that recomputes to what is stored (and tasks that
    are that draw's); a refusal is audited, since it means someone changed the stored result."""
    mismatches = service.verify_draw(registry(), draw_doc, plan)["mismatches"] + [f"task:{i}" for i in odd_tasks]
    if mismatches:
        audit.append(audit_db(), current_user()["username"], "plan.verify_failed", plan["_id"],
                     {"draw": draw_doc["_id"], "mismatches": mismatches[:50]})
        raise ApiError("conflict", message=t("plan.not_verified", mismatches="、".join(mismatches[:10])),
                       errors={"draw": mismatches[:50]})


@blp.route("", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(PlanSchema)
@blp.response(201, PlanOutSchema)
def create(data):
    """Create a plan in draft, naming the second supervisor who will approve it."""
    return service.create(registry(), audit_db(), PlanSchema().dump(data), current_user())


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, PlanOutSchema(many=True, only=("id", "name", "status", "period", "author", "approver")))
def list_plans():
    """Plans the caller wrote or must approve (admins: all)."""
    user = current_user()
    docs = registry().find({"type": "plan", "status": {"$gt": None}}, limit=10_000)
    audit.append(audit_db(), user["username"], "plan.list", "plans")
    return [d for d in docs if may_see_plan(user, d)]


@blp.route("/<string:key>", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, PlanOutSchema)
def get_plan(key):
    """One plan (viewing is logged), with who may approve it now or why nobody can."""
    return approval.with_state(load_plan(key))


@blp.route("/<string:key>/draw", methods=["POST"])
@require(*roles.STAFF)
@blp.response(201, DrawOutSchema)
def draw_plan(key):
    """Draw the plan, once. The seed comes from the OS's CSPRNG and is kept with the record."""
    plan = load_plan(key, "plan.draw_request")
    if current_user()["username"] != plan["author"] and current_user()["role"] != roles.ADMIN:
        raise ApiError("forbidden")
    _state(plan, "draft")
    return _draw(plan, None)


@blp.route("/<string:key>/draws", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, DrawOutSchema(many=True))
def list_draws(key):
    """Every draw of the plan, superseded ones included."""
    plan = load_plan(key, "plan.view_draws")
    return [registry().get(d) for d in plan["draws"]]


@blp.route("/<string:key>/draws/<int:number>/verify", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, VerifyOutSchema)
def verify_draw(key, number):
    """Recompute a draw from its record and stored pools: identical or not."""
    plan = load_plan(key, "plan.verify")
    if not 0 < number <= len(plan["draws"]):
        raise ApiError("not_found")
    return service.verify_draw(registry(), registry().get(plan["draws"][number - 1]), plan)


@blp.route("/<string:key>/approve", methods=["POST"])
@require(*roles.STAFF)
@blp.response(200, PlanOutSchema)
def approve(key):
    """The named approver, who did not make the draw, approves it; tasks become ready for dispatch."""
    plan = load_plan(key, "plan.approve_request")
    user = current_user()
    _state(plan, "drawn")
    draw_doc = registry().get(plan["current_draw"])
    if user["username"] != plan["approver"]:
        raise ApiError("forbidden", message=t("plan.approver_only"))
    problem = approval.approver_problem(registry(), plan, user["username"], draw_doc["by"])
    if problem:
        raise ApiError("forbidden", message=problem)
    _require_verified(plan, draw_doc)
    with registry().claimed(plan):   # before any task is made: of two approvals at once, one goes on
        enterprises = service.drawn_enterprises(registry(), draw_doc)
        tasks = service.make_tasks(registry(), plan, draw_doc, enterprises)
        caps.claim(registry(), plan, draw_doc["_id"], tasks, enterprises)
        if tasks:
            registry().bulk_docs(tasks)
        plan.update(status="approved", approved_by=user["username"], approved_at=now_iso())
        registry().put(plan)
    audit.append(audit_db(), user["username"], "plan.approve", plan["_id"],
                 {"draw": draw_doc["_id"], "tasks": len(tasks)})
    return plan


@blp.route("/<string:key>/redraw-request", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(RedrawRequestSchema)
@blp.response(200, PlanOutSchema)
def request_redraw(data, key):
    """Ask for a re-draw, with a written reason; a second supervisor must confirm it."""
    plan = load_plan(key, "plan.redraw_request")
    _state(plan, "drawn", "approved")
    plan["redraw_request"] = {"reason": data["reason"], "by": current_user()["username"], "at": now_iso()}
    registry().put_once(plan)
    audit.append(audit_db(), current_user()["username"], "plan.redraw_request", plan["_id"], {"reason": data["reason"]})
    return plan


@blp.route("/<string:key>/redraw", methods=["POST"])
@require(*roles.STAFF)
@blp.response(201, DrawOutSchema)
def confirm_redraw(key):
    """A second supervisor confirms the request and the plan is drawn again; both draws stay on record."""
    plan = load_plan(key, "plan.redraw_confirm")
    request = plan.get("redraw_request")
    if not request:
        raise ApiError("conflict", message=t("plan.no_redraw_request"))
    if current_user()["username"] == request["by"]:
        raise ApiError("forbidden", message=t("plan.second_person"))
    _state(plan, "drawn", "approved")
    service.cancel_tasks(registry(), plan)
    return _draw(plan, request["reason"], request["by"])


@blp.route("/<string:key>/dispatch", methods=["POST"])
@require(*roles.STAFF)
@blp.response(200, PlanOutSchema)
def dispatch(key):
    """Release an approved plan's tasks to their teams."""
    plan = load_plan(key, "plan.dispatch")
    _state(plan, "approved")
    tasks = registry().find({"type": "task", "plan": plan["_id"], "status": "ready"}, limit=10_000_000)
    draw_doc = registry().get(plan["current_draw"])
    _require_verified(plan, draw_doc, service.task_differences(tasks, draw_doc))
    with registry().claimed(plan):   # before any task goes out: of two dispatches at once, one goes on
        for task in tasks:
            task.update(status="dispatched", dispatched_at=now_iso())
        if tasks:
            registry().bulk_docs(tasks)
            dispatch_tasks(tasks, plan)
        plan.update(status="dispatched", dispatched_at=now_iso())
        registry().put(plan)
    audit.append(audit_db(), current_user()["username"], "plan.dispatch", plan["_id"], {"tasks": len(tasks)})
    return plan


@blp.route("/<string:key>/close", methods=["POST"])
@require(*roles.STAFF)
@blp.response(200, PlanOutSchema)
def close(key):
    """Close a dispatched plan."""
    plan = load_plan(key, "plan.close")
    _state(plan, "dispatched")
    plan.update(status="closed", closed_at=now_iso())
    registry().put_once(plan)
    audit.append(audit_db(), current_user()["username"], "plan.close", plan["_id"])
    return plan
