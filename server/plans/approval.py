"""Who may approve a plan's current draw (four-eyes), why nobody can when that happens, and naming another
approver so that someone eligible always can.

The rule: the plan's named approver approves; they must be an active supervisor (or admin) whose area
covers every region of the plan, and not the drafter of the draw. The drafter of a first draw is whoever
made it; the drafter of a re-draw is the plan's author (the confirming second person only releases it),
so the approver, who is never the author, stays eligible after every re-draw they confirm.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from i18n import t
from schemas.common import StrictSchema
from schemas.plans import PlanOutSchema
from server import audit
from server.accounts import roles, store as accounts
from server.accounts.guard import current_user, require
from server.db import registry
from server.errors import ApiError
from server.plans.access import audit_db, load_plan
from server.plans.service import check_approver

blp = Blueprint("plan_approval", __name__, url_prefix="/api/v1/plans", description="Plan approval (审批)")


class ApproverSchema(StrictSchema):
    approver = fields.String(required=True, validate=validate.Length(min=3, max=32))


def approver_problem(db, plan: dict, username: str, drafter: str | None) -> str | None:
    """Why `username` may not approve this plan's current draw, or None."""
    user = accounts.get_user(db, username)
    if not user or user.get("active", True) is False or user["role"] not in roles.STAFF:
        return t("plan.approver_inactive", user=username)
    if not all(roles.in_scope(user, r) for r in plan["rules"]["scope"]["regions"]):
        return t("plan.approver_out_of_scope", user=username)
    if username == plan["author"] or username == drafter:
        return t("plan.approver_is_drafter", user=username)
    return None


def drafter_of(db, plan: dict) -> str | None:
    return (db.get_or_none(plan["current_draw"]) or {}).get("by") if plan.get("current_draw") else None


def state(db, plan: dict) -> dict:
    """{approver, eligible, reason}: whether the named approver can approve now, and if not, why."""
    drafter = drafter_of(db, plan)
    problem = approver_problem(db, plan, plan["approver"], drafter)
    if plan["status"] != "drawn":
        return {"approver": plan["approver"], "eligible": False,
                "reason": t("plan.approval_not_pending", status=plan["status"])}
    return {"approver": plan["approver"], "eligible": problem is None,
            "reason": problem and problem + t("plan.approver_rename_hint")}


def with_state(plan: dict) -> dict:
    return {**plan, "approval": state(registry(), plan)}


@blp.route("/<string:key>/approver", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(ApproverSchema)
@blp.response(200, PlanOutSchema)
def change_approver(data, key):
    """Name another approver (author or admin, before approval), e.g. when the named one cannot approve."""
    plan = load_plan(key, "plan.approver_request")
    user = current_user()
    if user["username"] != plan["author"] and user["role"] != roles.ADMIN:
        raise ApiError("forbidden")
    if plan["status"] not in ("draft", "drawn"):
        raise ApiError("conflict", message=t("plan.wrong_state", status=plan["status"], allowed="draft/drawn"))
    check_approver(registry(), {"approver": data["approver"], "rules": plan["rules"]}, {"username": plan["author"]})
    problem = approver_problem(registry(), plan, data["approver"], drafter_of(registry(), plan))
    if problem:
        raise ApiError("validation", errors={"approver": [problem]})
    before = plan["approver"]
    plan["approver"] = data["approver"]
    registry().put_once(plan)
    audit.append(audit_db(), user["username"], "plan.approver_change", plan["_id"],
                 {"before": before, "after": data["approver"]})
    return with_state(plan)
