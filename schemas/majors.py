"""Schemas of the major-hazard database (issue 15): list filters, 挂牌督办, its lifting, escalation measures."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema, Text
from schemas.hazards import SOURCES, STATES
from schemas.review import REGION_FILTER, SECTOR, PagedArgs

LEVELS = ("county", "city", "province")
MEASURES = ("letter", "notice", "interview", "exposure")
FORMATS = ("csv", "xlsx")


class MajorsArgs(PagedArgs):
    """Filters of the major-hazard list: state, source, 督办 level ('none' = not listed), region, sector."""
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    source = fields.String(load_default=None, validate=validate.OneOf(SOURCES))
    level = fields.String(load_default=None, validate=validate.OneOf((*LEVELS, "none")))
    region = fields.String(load_default=None, validate=REGION_FILTER)
    sector = fields.String(load_default=None, validate=SECTOR)


class MajorsStatsArgs(StrictSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    region = fields.String(load_default=None, validate=validate.Regexp(r"^[1-9]\d{5}$"))
    lang = fields.String(load_default=None, validate=validate.OneOf(("zh_CN", "en")))


class PublicArgs(StrictSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=600))
    lang = fields.String(load_default=None, validate=validate.OneOf(("zh_CN", "en")))


class SuperviseSchema(StrictSchema):
    """挂牌督办: the level, the 督办 document's number and text, and the deadline set for the enterprise."""
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    number = Text(max_length=60, min_length=2, required=True)
    text = Text(max_length=4000, min_length=2, required=True)
    deadline = fields.Date(required=True)


class LiftSchema(StrictSchema):
    note = Text(max_length=1000, min_length=2, required=True)


class MeasureSchema(StrictSchema):
    """函告, 通报, 约谈 or 曝光: its date, the document's number and title, its text (or an uploaded PDF)."""
    kind = fields.String(required=True, validate=validate.OneOf(MEASURES))
    on = fields.Date(required=True)
    number = Text(max_length=60, load_default="")
    title = Text(max_length=200, min_length=2, required=True)
    text = Text(max_length=8000, load_default="")
