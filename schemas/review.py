"""Schemas of the supervisors' review (审核): queue filters, a decision, and what the API shows."""
from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from i18n import t
from schemas.common import StrictSchema, Text
from schemas.field import UUID_ID

UUID = validate.Regexp(rf"^{UUID_ID}$")
REGION_FILTER = validate.Regexp(r"^(\d{2}|\d{4}|[1-9]\d{5})$")
SECTOR = validate.Regexp(r"^[a-z0-9_]{1,40}$")
PLAN_ID = validate.Regexp(r"^plan:[0-9a-f]{16}$")
ITEM_KEY = r"^[A-Za-z0-9_.:-]{1,64}$"
STATUSES = ("pending", "returned", "approved", "rejected", "all")
DECISIONS = ("approved", "returned", "rejected")
MAX_ITEM_COMMENTS = 200


class DateRange(StrictSchema):
    """`from` and `to` as calendar days in Asia/Shanghai, both included."""
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(t("list.bad_dates"), "to")


class PagedArgs(DateRange):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=600))
    lang = fields.String(load_default=None, validate=validate.OneOf(("zh_CN", "en")))


class QueueArgs(PagedArgs):
    review_status = fields.String(load_default="pending", validate=validate.OneOf(STATUSES))
    region = fields.String(load_default=None, validate=REGION_FILTER)
    sector = fields.String(load_default=None, validate=SECTOR)
    plan = fields.String(load_default=None, validate=PLAN_ID)
    major = fields.Boolean(load_default=None)
    verdict = fields.String(load_default=None, validate=validate.OneOf(("ok", "warning")))


class ReviewDecisionSchema(StrictSchema):
    """approve; return with comments (overall and per item), which reach the team's phones; or reject with
    a reason. `rev` is the phone revision the reviewer read: if a newer one arrived, the decision is refused."""
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comments = Text(max_length=2000, load_default="")
    items = fields.Dict(keys=fields.String(validate=validate.Regexp(ITEM_KEY)), values=Text(max_length=1000),
                        load_default=dict, validate=validate.Length(max=MAX_ITEM_COMMENTS))
    reason = Text(max_length=1000, load_default="")
    rev = fields.String(load_default=None, validate=validate.Regexp(r"^\d{1,10}-[0-9a-f]{1,64}$"))

    @validates_schema
    def _what_each_decision_needs(self, data, **kwargs):
        items = {k: v for k, v in (data.get("items") or {}).items() if v}
        if data["decision"] == "returned" and not (data.get("comments") or items):
            raise ValidationError(t("review.comments_required"), "comments")
        if data["decision"] == "rejected" and len(data.get("reason") or "") < 4:
            raise ValidationError(t("review.reason_required"), "reason")

    @post_load
    def _drop_empty_item_comments(self, data, **kwargs):
        data["items"] = {k: v for k, v in data["items"].items() if v}
        return data


class QueueItemSchema(StrictSchema):
    id = fields.String()
    review_status = fields.String()
    region = fields.String()
    sector = fields.String()
    plan = fields.String()
    verdict = fields.String()
    hazards = fields.Dict()
    enterprise_name = fields.String()
    inspector = fields.String()
    task_kind = fields.String()
    number = fields.String()
    submitted_at = fields.String()


class QueuePageSchema(StrictSchema):
    items = fields.List(fields.Nested(QueueItemSchema))
    next = fields.String(allow_none=True)


class ReviewSchema(StrictSchema):
    """A decision as stored in `review:<inspection uuid>:<n>` (also the document schema)."""
    n = fields.Integer()
    inspection = fields.String()
    decision = fields.String(validate=validate.OneOf(DECISIONS))
    comments = fields.String()
    items = fields.Dict()
    reason = fields.String()
    by = fields.String()
    by_name = fields.String()
    at = fields.String()
    team = fields.List(fields.String())
    number = fields.String(allow_none=True)
    rev = fields.String(allow_none=True)


class InspectionOutSchema(StrictSchema):
    id = fields.String()
    task = fields.String()
    task_kind = fields.String()
    plan = fields.String()
    status = fields.String()
    review_status = fields.String()
    number = fields.String(allow_none=True)
    opinion_number = fields.String(allow_none=True)
    region = fields.String()
    enterprise = fields.String()
    enterprise_name = fields.String()
    site = fields.String()
    sector = fields.String(allow_none=True)
    inspector = fields.String()
    team = fields.List(fields.String())
    experts = fields.List(fields.String())
    checklist = fields.String()
    started_at = fields.String()
    finished_at = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    place = fields.String()
    purpose = fields.String()
    manager = fields.Dict(allow_none=True)
    witness = fields.Dict(allow_none=True)
    checkin = fields.Dict()
    checkin_verdict = fields.Dict()
    site_position = fields.Dict(allow_none=True)
    answers = fields.List(fields.Dict())
    signatures = fields.List(fields.Dict())
    hazards = fields.Dict()
    rev = fields.String()
    review = fields.Dict(allow_none=True)
    reviews = fields.List(fields.Nested(ReviewSchema))
    hazard_list = fields.List(fields.Dict())
    # Revisions the conflict rule did not file (another device's edit), kept for supervisors to compare.
    conflicts = fields.List(fields.Dict())
    # Signatures against the content they signed, and corrections after submission (decision 0013).
    signature_check = fields.Dict()
    corrections = fields.List(fields.Dict())
    issuer_region = fields.String(allow_none=True)
