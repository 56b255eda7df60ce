"""API of the audit-log reader: /api/v1/audit (a page of entries) and /api/v1/audit/export.csv."""
from __future__ import annotations

from datetime import date

from flask import Response
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from i18n import t
from schemas.common import StrictSchema
from server import audit
from server.accounts.guard import current_user
from server.auditlog import reader
from server.db import database
from server.errors import ApiError

blp = Blueprint("audit_log", __name__, url_prefix="/api/v1/audit", description="Audit log reader (审计查阅)")
MAX_DAYS = 366


class AuditQuerySchema(StrictSchema):
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)
    actor = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    action = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z_.]{1,64}$"))
    subject = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    # the `next` of the page before: an entry id without "audit:" (time:writer:seq, or seq in a log from before writers)
    after = fields.String(load_default="", validate=validate.Regexp(r"^([0-9]{12}|[0-9]{8}T[0-9]{9}Z:[0-9a-f]{12}:[0-9]{12})$"))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _period(self, data, **kwargs):
        since, until = data.get("since"), data.get("until")
        if since and until and (until < since or (until - since).days > MAX_DAYS):
            raise ValidationError(t("auditlog.bad_period", days=MAX_DAYS), "until")


class EntrySchema(StrictSchema):
    seq = fields.Integer()
    lane = fields.String()
    at = fields.String()
    actor = fields.String()
    action = fields.String()
    subject = fields.String()
    details = fields.Dict()


class EntryPageSchema(StrictSchema):
    items = fields.List(fields.Nested(EntrySchema))
    next = fields.String(allow_none=True)


def query(args: dict) -> dict:
    """Filled-in filters: the last 30 days when no period is given; dates as ISO strings."""
    since, until = reader.default_period()
    since = args["since"].isoformat() if args.get("since") else since
    until = args["until"].isoformat() if args.get("until") else max(until, since)
    if (date.fromisoformat(until) - date.fromisoformat(since)).days > MAX_DAYS or until < since:
        raise ApiError("validation", errors={"until": [t("auditlog.bad_period", days=MAX_DAYS)]})
    return {**args, "since": since, "until": until}


def reader_only() -> dict:
    user = current_user()
    if not reader.may_read(user):
        raise ApiError("forbidden", message=t("auditlog.readers_only"))
    return user


@blp.route("", methods=["GET"])
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, EntryPageSchema)
def entries(args):
    """Audit entries by object, actor and period, oldest first, key-paged (admins and auditors)."""
    user = reader_only()
    args = query(args)
    audit.append(database("audit"), user["username"], "audit.read", "audit",
                 {k: args.get(k) for k in ("since", "until", "actor", "action", "subject", "after")})
    return reader.page(database("audit"), args)


@blp.route("/export.csv", methods=["GET"])
@blp.arguments(AuditQuerySchema, location="query")
def export(args):
    """The matching entries as CSV (at most 50,000 rows), for an auditor's own analysis."""
    user = reader_only()
    args = query(args)
    audit.append(database("audit"), user["username"], "audit.export", "audit",
                 {k: args.get(k) for k in ("since", "until", "actor", "action", "subject")})
    body = reader.to_csv(reader.export_rows(database("audit"), args))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=audit-{args['since']}-{args['until']}.csv"})
