"""The phone's record of signed content and its corrections (docs/decisions/0013): what the worker accepts.

A signature carries `content_sha256`, the hash of the content it signed (schemas/signed_content.py). A
record reopened after submission carries `correcting` (the content it had, to compare with) until it is
finished again, when a `corrections` entry is appended: when, the inspector's 更正说明, the hashes before
and after, and what changed.
"""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema, Text

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$")
ISO_TIME = validate.Regexp(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")
MAX_CORRECTIONS = 50
MAX_CHANGES = 100


def content_hash_field():
    return fields.String(load_default=None, allow_none=True, validate=SHA256)


class Change(StrictSchema):
    part = fields.String(required=True, validate=validate.OneOf(("field", "answer", "hazard")))
    key = fields.String(required=True, validate=validate.Length(max=300))
    before = fields.String(required=True, validate=validate.Length(max=300))
    after = fields.String(required=True, validate=validate.Length(max=300))


class Correction(StrictSchema):
    n = fields.Integer(required=True, validate=validate.Range(1, MAX_CORRECTIONS))
    at = fields.String(required=True, validate=ISO_TIME)
    note = Text(max_length=300, min_length=2, required=True)
    from_sha256 = fields.String(required=True, validate=SHA256)
    to_sha256 = fields.String(required=True, validate=SHA256)
    changes = fields.List(fields.Nested(Change), load_default=list, validate=validate.Length(max=MAX_CHANGES))


class Correcting(StrictSchema):
    """A correction under way (the record is a draft again): the content it had when it was reopened."""
    at = fields.String(required=True, validate=ISO_TIME)
    note = fields.String(load_default="", validate=validate.Length(max=300))
    from_sha256 = fields.String(required=True, validate=SHA256)
    # the signed content (schemas/signed_content.py) as it was; bounded by the worker's document size cap
    from_ = fields.Dict(data_key="from", attribute="from", required=True)
