"""Schemas of inspection plans (年度监督检查计划), their draws, re-draw requests and published results."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from i18n import t
from schemas.common import StrictSchema, Text
from schemas.plan_rules import PlanRulesSchema

STATUSES = ("draft", "drawn", "approved", "dispatched", "closed")
OUTCOMES = ("no_problem", "problems_found", "closed_down", "not_inspected")
RECTIFICATIONS = ("not_needed", "in_progress", "completed")


class PeriodSchema(StrictSchema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError(t("plan.period_order"), "end")
        if (data["end"] - data["start"]).days > 400:
            raise ValidationError(t("plan.period_long"), "end")


class PublicationSchema(StrictSchema):
    """How soon results must be published after the check ends (一公开); the default comes from settings."""
    days = fields.Integer(strict=True, validate=validate.Range(min=1, max=90))
    unit = fields.String(validate=validate.OneOf(("working", "calendar")))


class PlanSchema(StrictSchema):
    name = Text(max_length=100, min_length=2, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    approver = fields.String(required=True, validate=validate.Length(min=3, max=32))
    rules = fields.Nested(PlanRulesSchema, required=True)
    checklist = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[a-z0-9_]{2,64}$"))
    window_days = fields.Integer(load_default=14, strict=True, validate=validate.Range(min=1, max=366))
    publication = fields.Nested(PublicationSchema, load_default=dict)


class PeriodOutSchema(StrictSchema):
    start = fields.String()
    end = fields.String()


class PlanOutSchema(PlanSchema):
    period = fields.Nested(PeriodOutSchema, dump_only=True)
    id = fields.String(attribute="_id", dump_only=True)
    status = fields.String(dump_only=True)
    author = fields.String(dump_only=True)
    created_at = fields.String(dump_only=True)
    approved_by = fields.String(dump_only=True)
    approved_at = fields.String(dump_only=True)
    current_draw = fields.String(dump_only=True)
    draws = fields.List(fields.String(), dump_only=True)
    redraw_request = fields.Dict(dump_only=True)
    approval = fields.Dict(dump_only=True)                   # who may approve now, or why nobody can
    approvals = fields.List(fields.Dict(), dump_only=True)   # approvals withdrawn by later re-draws


class RedrawRequestSchema(StrictSchema):
    reason = Text(max_length=500, min_length=10, required=True)


class DrawOutSchema(StrictSchema):
    id = fields.String(attribute="_id")
    plan = fields.String()
    number = fields.Integer()
    by = fields.String()
    requested_by = fields.String(allow_none=True)
    confirmed_by = fields.String(allow_none=True)
    at = fields.String()
    reason = fields.String(allow_none=True)
    superseded = fields.Boolean()
    record = fields.Dict()
    tasks = fields.List(fields.Dict())
    exclusions = fields.List(fields.Dict())
    skipped = fields.List(fields.Dict())
    tiers = fields.List(fields.Dict())


class VerifyOutSchema(StrictSchema):
    identical = fields.Boolean()
    mismatches = fields.List(fields.String())


class ResultSchema(StrictSchema):
    """A reviewed inspection's outcome, as published (一公开): no people, no internal notes."""
    checked_on = fields.Date(required=True)
    items_checked = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    hazards_general = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=10000))
    hazards_major = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=10000))
    rectification = fields.String(load_default="not_needed", validate=validate.OneOf(RECTIFICATIONS))
    # Why a check did not take place (outcome not_inspected: closed, moved, refused entry); published.
    reason = Text(max_length=200, min_length=4)


class ResultRequestSchema(StrictSchema):
    """A result to publish: the filed, approved inspection it comes from (any figures given must match
    it), or a check that did not take place (outcome not_inspected, with the date and the reason)."""
    inspection = fields.String(validate=validate.Regexp(r"^inspection:[0-9a-f-]{36}$"))
    checked_on = fields.Date()
    items_checked = fields.Integer(strict=True, validate=validate.Range(min=0, max=1000))
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    hazards_general = fields.Integer(strict=True, validate=validate.Range(min=0, max=10000))
    hazards_major = fields.Integer(strict=True, validate=validate.Range(min=0, max=10000))
    rectification = fields.String(validate=validate.OneOf(RECTIFICATIONS))
    reason = Text(max_length=200, min_length=4)
