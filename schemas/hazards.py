"""Schemas of the hazard loop (隐患闭环): register filters, the five in place, orders, rectification, re-inspection."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema, Text
from schemas.field import INSPECTOR_ID, phone_id
from schemas.review import REGION_FILTER, SECTOR, UUID, PagedArgs

STATES = ("found", "ordered", "rectified", "reinspected", "closed", "void")
GRADES = ("general", "major")
SOURCES = ("inspection", "report", "self_report")   # where a case came from (issue 15); missing = inspection


class RegisterArgs(PagedArgs):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    grade = fields.String(load_default=None, validate=validate.OneOf(GRADES))
    region = fields.String(load_default=None, validate=REGION_FILTER)
    sector = fields.String(load_default=None, validate=SECTOR)
    overdue = fields.Boolean(load_default=None)
    supervised = fields.Boolean(load_default=None)
    escalated_to = fields.String(load_default=None, validate=validate.Regexp(r"^[1-9]\d{5}$"))
    source = fields.String(load_default=None, validate=validate.OneOf(SOURCES))


class ExportArgs(RegisterArgs):
    format = fields.String(required=True, validate=validate.OneOf(("csv", "xlsx")))


class FiveInPlaceSchema(StrictSchema):
    """五到位: measures, responsible person, funds, deadline and contingency plan, each required."""
    measures = Text(max_length=2000, min_length=2, required=True)
    responsible = Text(max_length=100, min_length=2, required=True)
    funds = Text(max_length=200, min_length=1, required=True)
    deadline = fields.Date(required=True)
    contingency = Text(max_length=2000, min_length=2, required=True)


class OrderItemSchema(StrictSchema):
    case = fields.String(required=True, validate=UUID)
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=365))


class OrderSchema(StrictSchema):
    """A rectification order for hazards of one approved inspection; each deadline in working days."""
    inspection = fields.String(required=True, validate=UUID)
    items = fields.List(fields.Nested(OrderItemSchema), required=True, validate=validate.Length(min=1, max=50))


class ReorderSchema(StrictSchema):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=365))


class RectifySchema(StrictSchema):
    text = Text(max_length=2000, min_length=4, required=True)
    photos = fields.List(fields.String(validate=phone_id("photo")), load_default=list,
                         validate=validate.Length(max=20))


class ReinspectionSchema(StrictSchema):
    """Rectified cases of one enterprise, and the inspectors (two or more) who go back to check."""
    cases = fields.List(fields.String(validate=UUID), required=True, validate=validate.Length(min=1, max=20))
    inspectors = fields.List(fields.String(validate=validate.Regexp(INSPECTOR_ID)), required=True,
                             validate=validate.Length(min=2, max=10))
    window_days = fields.Integer(load_default=14, strict=True, validate=validate.Range(min=1, max=60))


class CloseSchema(StrictSchema):
    note = Text(max_length=500, load_default="")


class CaseOutSchema(StrictSchema):
    id = fields.String()
    hazard = fields.String()
    inspection = fields.String()
    task = fields.String()
    plan = fields.String()
    region = fields.String()
    sector = fields.String(allow_none=True)
    enterprise = fields.String()
    enterprise_name = fields.String()
    site = fields.String(allow_none=True)
    description = fields.String()
    location = fields.String()
    grade = fields.String()
    found_at = fields.String()
    found_by = fields.String()
    photos = fields.List(fields.String())
    state = fields.String()
    order = fields.String(allow_none=True)
    orders = fields.List(fields.String())
    deadline = fields.String(allow_none=True)
    five_in_place = fields.Dict(allow_none=True)
    supervised = fields.Boolean()
    escalated_to = fields.String(allow_none=True)
    escalated_at = fields.String(allow_none=True)
    rectification = fields.Dict(allow_none=True)
    reinspection_task = fields.String(allow_none=True)
    reinspections = fields.List(fields.Dict())
    closed_at = fields.String(allow_none=True)
    closed_by = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
    overdue = fields.Boolean()
    deadline_provisional = fields.Boolean()   # counted into a year without the holiday notice (暂定)
    deadline_rule = fields.Dict(allow_none=True)   # from, days, unit: how it is recounted
    deadline_note = fields.String(allow_none=True)  # why it differs from the five in place's 治理期限
    source = fields.String(allow_none=True)   # issue 15: inspection (when missing), report, self_report
    supervision = fields.Dict(allow_none=True)   # 挂牌督办: level, by, at, document, deadline, lifted
    escalations = fields.List(fields.Dict())   # 函告, 通报, 约谈, 曝光 recorded against the case


class RegisterItemSchema(StrictSchema):
    id = fields.String()
    state = fields.String()
    grade = fields.String()
    region = fields.String()
    sector = fields.String()
    supervised = fields.Boolean()
    deadline = fields.String(allow_none=True)
    escalated_to = fields.String(allow_none=True)
    found_at = fields.String()
    enterprise_name = fields.String()
    description = fields.String()
    location = fields.String()
    inspection = fields.String()
    overdue = fields.Boolean()
    deadline_provisional = fields.Boolean()   # counted into a year without the holiday notice (暂定)
    source = fields.String()   # inspection, report or self_report (issue 15)
    level = fields.String(allow_none=True)   # 挂牌督办 level: county, city or province, when listed


class RegisterPageSchema(StrictSchema):
    items = fields.List(fields.Nested(RegisterItemSchema))
    next = fields.String(allow_none=True)


class OrderOutSchema(StrictSchema):
    id = fields.String(attribute="_id")
    number = fields.String()
    inspection = fields.String()
    enterprise = fields.String()
    enterprise_name = fields.String()
    region = fields.String()
    site = fields.String(allow_none=True)
    items = fields.List(fields.Dict())
    issued_at = fields.String()
    issued_by = fields.String()
    issued_by_name = fields.String()
    signatures = fields.List(fields.Dict())


class TaskRefSchema(StrictSchema):
    id = fields.String(attribute="_id")
    plan = fields.String()
    kind = fields.String()
    inspectors = fields.List(fields.String())
    window = fields.Dict()
    hazards = fields.List(fields.Dict())
    status = fields.String()


class PhotoRefSchema(StrictSchema):
    id = fields.String(attribute="_id")
    sha256 = fields.String()
