"""Schema of the holiday notice form (国务院办公厅关于部分节假日安排的通知) an admin enters for a year."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema, Text


class NoticeSchema(StrictSchema):
    """The year, the notice's reference, its holidays and make-up working days as typed (dates one per line)."""
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    reference = Text(max_length=200, min_length=4, required=True)
    holidays = Text(max_length=4000, min_length=10, required=True)
    workdays = Text(max_length=4000, load_default="")
