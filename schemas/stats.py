"""Statistics: the query parameters of /api/v1/stats and its export, and the shape of the answer."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema, problem_validator
from schemas.regions import validate_region

GROUPS = ("region", "sector", "inspector")
PERIODS = ("month", "quarter")
FORMATS = ("csv", "xlsx", "geojson")
# Unknown query parameters are refused: the API passes unknown=RAISE (webargs would drop them from a query).
# Records are kept at least three years; a few decades either side is room enough and keeps years sane.
YEARS = (2000, 2100)


class StatsArgs(StrictSchema):
    """`region` narrows the caller's own scope; rows are the level below it (or its inspectors/sectors)."""
    group = fields.String(load_default="region", validate=validate.OneOf(GROUPS))
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    year = fields.Integer(load_default=None, validate=validate.Range(*YEARS))
    region = fields.String(load_default=None, validate=problem_validator(validate_region))
    # The language of labels and headers, as on every request (else the cookie, then Accept-Language).
    lang = fields.String(load_default=None, validate=validate.OneOf(("zh_CN", "zh-CN", "zh", "en")))


class StatsExportArgs(StatsArgs):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))


class PeriodFigures(StrictSchema):
    period = fields.Integer()
    inspections = fields.Integer()
    general = fields.Integer(allow_none=True)
    major = fields.Integer(allow_none=True)
    hazards = fields.Integer(allow_none=True)
    closed = fields.Integer(allow_none=True)
    closure_rate = fields.Float(allow_none=True)


class StatsRow(StrictSchema):
    key = fields.String(allow_none=True)
    label = fields.String()
    inspections = fields.Integer()
    approved = fields.Integer()
    pending = fields.Integer()
    returned = fields.Integer()
    items_checked = fields.Integer(allow_none=True)  # 检查事项数, 不适用 not counted (None for workload)
    general = fields.Integer(allow_none=True)
    major = fields.Integer(allow_none=True)
    hazards = fields.Integer(allow_none=True)
    closed = fields.Integer(allow_none=True)
    closure_rate = fields.Float(allow_none=True)
    overdue = fields.Integer(allow_none=True)
    supervised = fields.Integer(allow_none=True)
    by_period = fields.List(fields.Nested(PeriodFigures))


class StatsSchema(StrictSchema):
    year = fields.Integer()
    period = fields.String()
    group = fields.String()
    region = fields.String(allow_none=True)
    region_name = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    as_of = fields.String()
    periods = fields.List(fields.Integer())
    rows = fields.List(fields.Nested(StatsRow))
    total = fields.Nested(StatsRow)
