"""Schemas for users, logins and API tokens."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema, Text, problem_validator
from schemas.regions import validate_region

ROLES = ("admin", "supervisor", "inspector", "expert", "auditor")
USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9_.-]{2,31}$")


class LoginSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenRequestSchema(LoginSchema):
    label = Text(max_length=80, load_default="api")


class TokenSchema(StrictSchema):
    token = fields.String(dump_only=True)
    id = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    expires_at = fields.String(dump_only=True)


class UserSchema(StrictSchema):
    """A user as the API shows it: never the password hash."""
    username = fields.String(required=True, validate=USERNAME)
    display_name = Text(max_length=60, min_length=1, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    region = fields.String(required=True, validate=problem_validator(validate_region))
    active = fields.Boolean(load_default=True)
    inspector_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=80))
    locale = fields.String(load_default="zh_CN", validate=validate.OneOf(("zh_CN", "en")))
    must_change_password = fields.Boolean(dump_only=True)
    may_reveal_reporters = fields.Boolean(dump_only=True)   # set by an admin (UserUpdateSchema), issue 15


class UserCreateSchema(UserSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class UserUpdateSchema(StrictSchema):
    display_name = Text(max_length=60, min_length=1)
    role = fields.String(validate=validate.OneOf(ROLES))
    region = fields.String(validate=problem_validator(validate_region))
    active = fields.Boolean()
    inspector_id = fields.String(allow_none=True, validate=validate.Length(max=80))
    locale = fields.String(validate=validate.OneOf(("zh_CN", "en")))
    password = fields.String(load_only=True, validate=validate.Length(max=256))
    # May reveal who sent a public report (举报人), with a reason, each time audited (server/reports/protect.py).
    may_reveal_reporters = fields.Boolean()


class SessionSchema(StrictSchema):
    user = fields.Nested(UserSchema, dump_only=True)
    csrf_token = fields.String(dump_only=True)
