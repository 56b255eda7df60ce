"""Documents the field kit writes on the phone (inspections, hazards, photos): the contract the worker checks."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate, validates_schema

from i18n import t
from schemas.common import StrictSchema, Text
from schemas.corrections import MAX_CORRECTIONS, Correcting, Correction, content_hash_field

UUID_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TASK_ID = re.compile(r"^task:[0-9a-f]{16}:\d{5}$")
INSPECTOR_ID = re.compile(r"^inspector:[0-9a-f]{12}$")
# Only these types may come from a phone; everything else in an inspector's database is the server's.
PHONE_TYPES = ("inspection", "hazard", "photo")
ISO_TIME = validate.Regexp(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")


def phone_id(doc_type: str):
    return validate.Regexp(rf"^{doc_type}:{UUID_ID}$")


class Position(StrictSchema):
    """A GPS fix as the phone reports it: raw WGS-84 with its accuracy (never converted on the phone)."""
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(required=True, allow_nan=False, validate=validate.Range(0, 100_000))
    crs = fields.String(load_default="WGS84", validate=validate.OneOf(("WGS84",)))
    at = fields.String(required=True, validate=ISO_TIME)


class CheckIn(StrictSchema):
    """扫码入企: the scanned QR payload, where and when, and why the inspector went on despite a warning."""
    qr = fields.String(required=True, validate=validate.Length(max=512))
    # "typed": the site code printed under the QR was typed in (camera broken, sheet damaged): no signature
    method = fields.String(load_default="scan", validate=validate.OneOf(("scan", "typed")))
    scanned_at = fields.String(required=True, validate=ISO_TIME)
    position = fields.Nested(Position, allow_none=True, load_default=None)
    override_reason = Text(max_length=300, load_default=None, allow_none=True)


class Answer(StrictSchema):
    item = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{1,64}$"))
    value = fields.Raw(required=True, allow_none=True)
    note = Text(max_length=1000, load_default="")
    photos = fields.List(fields.String(validate=phone_id("photo")), load_default=list,
                         validate=validate.Length(max=20))

    @validates_schema
    def _value_shape(self, data, **kwargs):
        value = data.get("value")
        ok = value is None or (isinstance(value, str) and len(value) <= 2000) or (
            isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e12)
        if not ok:
            raise ValidationError(t("field.bad_answer"), "value")


class Person(StrictSchema):
    name = Text(max_length=50, min_length=1, required=True)
    role = Text(max_length=50, load_default="")
    phone = Text(max_length=30, load_default="")


class Signature(StrictSchema):
    """A signature is an attachment of the inspection (PNG); or the refusal to sign, which is recorded."""
    signer = fields.String(required=True, validate=validate.OneOf(("inspector", "manager", "witness")))
    name = Text(max_length=50, min_length=1, required=True)
    attachment = fields.String(load_default=None, allow_none=True,
                               validate=validate.Regexp(r"^signature-[a-z0-9-]{1,40}\.png$"))
    refused = fields.Boolean(load_default=False)
    refusal_note = Text(max_length=300, load_default="")
    at = fields.String(required=True, validate=ISO_TIME)
    content_sha256 = content_hash_field()  # what was signed (or refused): schemas/signed_content.py

    @validates_schema
    def _signed_or_refused(self, data, **kwargs):
        if bool(data.get("attachment")) == bool(data.get("refused")):
            raise ValidationError(t("field.signature_or_refusal"), "attachment")


class PhoneDoc(StrictSchema):
    """Fields PouchDB adds on every document; attachments are checked by the worker, not here."""
    _rev = fields.String(data_key="_rev", attribute="_rev")
    _attachments = fields.Dict(data_key="_attachments", attribute="_attachments")
    _conflicts = fields.List(fields.String(), data_key="_conflicts", attribute="_conflicts")
    _revisions = fields.Dict(data_key="_revisions", attribute="_revisions")


class InspectionDoc(PhoneDoc):
    _id = fields.String(data_key="_id", attribute="_id", required=True, validate=phone_id("inspection"))
    type = fields.String(required=True, validate=validate.Equal("inspection"))
    task = fields.String(required=True, validate=validate.Regexp(TASK_ID))
    status = fields.String(required=True, validate=validate.OneOf(("draft", "finished")))
    checklist = fields.String(required=True, validate=validate.Regexp(r"^checklist:[a-z0-9_]{2,64}:v\d{1,4}$"))
    started_at = fields.String(required=True, validate=ISO_TIME)
    finished_at = fields.String(load_default=None, allow_none=True, validate=ISO_TIME)
    checkin = fields.Nested(CheckIn, required=True)
    place = Text(max_length=200, load_default="")
    purpose = Text(max_length=300, load_default="")
    manager = fields.Nested(Person, load_default=None, allow_none=True)
    witness = fields.Nested(Person, load_default=None, allow_none=True)
    experts = fields.List(fields.String(validate=validate.Regexp(INSPECTOR_ID)), load_default=list,
                          validate=validate.Length(max=10))
    answers = fields.List(fields.Nested(Answer), load_default=list, validate=validate.Length(max=500))
    signatures = fields.List(fields.Nested(Signature), load_default=list, validate=validate.Length(max=20))
    corrects = fields.String(load_default=None, allow_none=True)  # the review this revision answers
    corrections = fields.List(fields.Nested(Correction), load_default=list, validate=validate.Length(max=MAX_CORRECTIONS))
    correcting = fields.Nested(Correcting, load_default=None, allow_none=True)

    @validates_schema
    def _finished_fully(self, data, **kwargs):
        if data.get("status") == "finished" and not data.get("finished_at"):
            raise ValidationError(t("field.finished_at_required"), "finished_at")


class HazardDoc(PhoneDoc):
    _id = fields.String(data_key="_id", attribute="_id", required=True, validate=phone_id("hazard"))
    type = fields.String(required=True, validate=validate.Equal("hazard"))
    task = fields.String(required=True, validate=validate.Regexp(TASK_ID))
    inspection = fields.String(required=True, validate=phone_id("inspection"))
    item = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    description = Text(max_length=2000, min_length=2, required=True)
    location = Text(max_length=200, load_default="")
    grade = fields.String(required=True, validate=validate.OneOf(("general", "major")))
    proposed_deadline = fields.Date(load_default=None, allow_none=True)
    found_at = fields.String(required=True, validate=ISO_TIME)
    position = fields.Nested(Position, load_default=None, allow_none=True)
    photos = fields.List(fields.String(validate=phone_id("photo")), load_default=list,
                         validate=validate.Length(max=30))


class PhotoDoc(PhoneDoc):
    _id = fields.String(data_key="_id", attribute="_id", required=True, validate=phone_id("photo"))
    type = fields.String(required=True, validate=validate.Equal("photo"))
    task = fields.String(required=True, validate=validate.Regexp(TASK_ID))
    inspection = fields.String(required=True, validate=phone_id("inspection"))
    hazard = fields.String(load_default=None, allow_none=True, validate=phone_id("hazard"))
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    taken_at = fields.String(required=True, validate=ISO_TIME)
    position = fields.Nested(Position, load_default=None, allow_none=True)
    width = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 20000))
    height = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 20000))


SCHEMAS = {"inspection": InspectionDoc, "hazard": HazardDoc, "photo": PhotoDoc}


def schema_for(doc: dict):
    """The schema for a phone document, or None if its type may not come from a phone."""
    kind = doc.get("type") if isinstance(doc, dict) else None
    return SCHEMAS.get(kind) if isinstance(kind, str) else None

