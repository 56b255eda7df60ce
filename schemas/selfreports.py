"""Schemas of enterprise self-reports (企业自查): a hazard with its own rectification plan, evidence of a
rectification, the bureau's decision."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema, Text

GRADES = ("general", "major")
ANSWERS = ("yes", "no", "na")
ITEM_KEY = validate.Regexp(r"^[A-Za-z0-9_.:-]{1,80}$")


class SelfHazardSchema(StrictSchema):
    """One hazard the enterprise found, with its rectification plan (for a major one: 五到位, all five)."""
    description = Text(max_length=500, min_length=2, required=True)
    location = Text(max_length=200, load_default="")
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    item = fields.String(load_default=None, allow_none=True, validate=ITEM_KEY)
    measures = Text(max_length=2000, min_length=2, required=True)
    responsible = Text(max_length=100, min_length=2, required=True)
    funds = Text(max_length=200, min_length=1, required=True)
    deadline = fields.Date(required=True)
    contingency = Text(max_length=2000, load_default="")


class EvidenceSchema(StrictSchema):
    """What the enterprise did about an ordered hazard (整改情况), sent with its photos."""
    text = Text(max_length=2000, min_length=2, required=True)


class DecisionSchema(StrictSchema):
    """The bureau's review: accept, or return with a reason the enterprise reads."""
    decision = fields.String(required=True, validate=validate.OneOf(("accept", "return")))
    reason = Text(max_length=1000, load_default="")
