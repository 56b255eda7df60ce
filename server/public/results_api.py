"""The public feed of published inspection results (一公开): no sign-in, nothing but published fields."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from schemas.common import StrictSchema
from schemas.regions import filter_prefix
from server.db import database

blp = Blueprint("public_results", __name__, url_prefix="/api/v1/public", description="Published results (一公开)")


class ResultArgs(StrictSchema):
    region = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2,6}$"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PublicResultSchema(StrictSchema):
    enterprise_name = fields.String()
    uscc = fields.String()
    region = fields.String()
    plan_name = fields.String()
    checked_on = fields.String()
    items_checked = fields.Integer()
    outcome = fields.String()
    hazards = fields.Dict()
    rectification = fields.String()
    published_at = fields.String()
    reason = fields.String(allow_none=True)   # why a check did not take place (outcome not_inspected)
    due = fields.String()                     # the publication deadline (一公开)
    late = fields.Boolean()                   # published after it


def published(region: str | None, page: int, per_page: int) -> list[dict]:
    selector: dict = {"type": "result", "published_at": {"$gt": None}}
    if region:
        prefix = filter_prefix(region)
        selector["region"] = {"$gte": prefix, "$lt": prefix + "\ufff0"}
    docs = database("public").find(selector, limit=per_page, skip=(page - 1) * per_page)
    return sorted(docs, key=lambda d: d["published_at"], reverse=True)


@blp.route("/results", methods=["GET"])
@blp.arguments(ResultArgs, location="query")
@blp.response(200, PublicResultSchema(many=True))
def results(args):
    """Published results of random inspections, newest first."""
    return published(args["region"], args["page"], args["per_page"])
