"""API of the review (审核): the queue of submitted inspections, one inspection, and the decision on it."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from i18n import Problem
from schemas.review import InspectionOutSchema, QueueArgs, QueuePageSchema, ReviewDecisionSchema
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import registry
from server.documents import record_items
from server.errors import ApiError
from server.documents import signed
from server.review import queue, service

blp = Blueprint("inspections", __name__, url_prefix="/api/v1/inspections", description="Review of inspections")


def listed(args: dict) -> dict:
    """A queue page for the current user's scope; a bad cursor is the caller's mistake (422)."""
    try:
        return queue.queue_page(service.records(), args, roles.scope_prefix(current_user()))
    except Problem as exc:
        raise ApiError("validation", message=exc.message(), errors={"cursor": [exc.message()]}) from None


def detail(doc: dict) -> dict:
    """The record as the API shows it, with its hazards (and their cases) and every decision."""
    out = {k: v for k, v in doc.items() if not k.startswith("_") and k not in ("source", "type", "conflicts")}
    hazards = service.hazards_of(doc["_id"])
    template = registry().get_or_none(str(doc.get("checklist") or "")) or {}
    out["answers"] = record_items.ordered_answers(doc.get("answers"), template)  # the checklist's order
    out.update(id=doc["_id"].split(":", 1)[1], rev=doc["source"]["rev"], reviews=service.reviews_of(doc["_id"]),
               hazard_list=[{k: v for k, v in h.items() if not k.startswith("_") and k not in ("source", "conflicts")}
                            for h in hazards],
               conflicts=[{k: v for k, v in c.items() if k != "values"} for c in service.losing_versions(doc, hazards)])
    checked = signed.check(doc, hazards)
    out["signature_check"] = {k: checked[k] for k in ("sha256", "states", "void", "unbound", "chain_broken")}
    return out


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(QueueArgs, location="query", unknown=RAISE)
@blp.response(200, QueuePageSchema)
def list_inspections(args):
    """The review queue: submitted inspections in the caller's region, filtered, paged by cursor."""
    return listed(args)


@blp.route("/<string:key>", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, InspectionOutSchema)
def get_inspection(key):
    """One submitted inspection with its check-in evidence, answers, hazards, signatures and reviews."""
    return detail(service.load_inspection(current_user(), key))


@blp.route("/<string:key>/review", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(ReviewDecisionSchema)
@blp.response(200, InspectionOutSchema)
def review(data, key):
    """Approve, return with comments (they reach the team's phones), or reject with a reason; audited."""
    return detail(service.decide(current_user(), key, data))
