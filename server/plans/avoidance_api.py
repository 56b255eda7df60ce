"""API for enterprises' avoidance applications (回避申请): record, list, read, decide."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from schemas.common import StrictSchema
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import database, registry
from server.plans import avoidance_requests as service

blp = Blueprint("avoidance_applications", __name__, url_prefix="/api/v1/avoidance-applications",
                description="Enterprises' avoidance applications (回避申请)")


class ApplicationOutSchema(StrictSchema):
    id = fields.Function(lambda d: d["_id"].split(":", 1)[1])
    enterprise = fields.String()
    enterprise_name = fields.String()
    region = fields.String()
    inspector = fields.String()
    inspector_name = fields.String()
    reason = fields.String()
    received_on = fields.String()
    status = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.String()
    decision_reason = fields.String()
    decided_by = fields.String()
    decided_at = fields.String()
    open_tasks = fields.List(fields.String())


class ListArgs(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(service.STATUSES))
    after = fields.String(load_default=None, validate=validate.Regexp(r"^avoidance_application:[0-9a-z]{32}$"))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageSchema(StrictSchema):
    items = fields.List(fields.Nested(ApplicationOutSchema))
    next = fields.String(allow_none=True)


@blp.route("", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(service.ApplicationSchema)
@blp.response(201, ApplicationOutSchema)
def record(data):
    """Record an enterprise's application that an inspector withdraw, with its reason (pending)."""
    return service.record(registry(), database("audit"), current_user(), data)


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(ListArgs, location="query")
@blp.response(200, PageSchema)
def list_applications(args):
    """Applications for enterprises in the caller's area, key-paged."""
    return service.listing(registry(), current_user(), args["status"], args["after"], args["per_page"])


@blp.route("/<string:key>", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, ApplicationOutSchema)
def get_application(key):
    """One application with its outcome."""
    return service.load(registry(), current_user(), key)


@blp.route("/<string:key>/decision", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(service.DecisionSchema)
@blp.response(200, ApplicationOutSchema)
def decide(data, key):
    """Grant (the inspector will not be drawn for the enterprise) or refuse, with a reason; once."""
    return service.decide(registry(), database("audit"), current_user(), key, data)
