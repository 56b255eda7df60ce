"""Console page of the audit-log reader (/console/audit): filters, a page of entries, the CSV link."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from server import audit
from server.auditlog import reader
from server.auditlog.api import AuditQuerySchema, query
from server.db import database
from server.errors import ApiError

bp = Blueprint("audit_console", __name__)


@bp.app_template_filter("audit_subject")
def audit_subject(subject: str) -> str:
    """`user:wang` → 用户 wang: the object's kind in words, then its identifier (never `kind:` as stored)."""
    from i18n import t
    kind, sep, rest = str(subject).partition(":")
    if not sep:
        return str(subject)
    label = t(f"ui.audit_subject.{kind}")
    return f"{t('ui.audit_subject.other') if label.startswith('ui.audit_subject.') else label} {rest}"


@bp.get("/console/audit")
def audit_page():
    """Admins and auditors: who did what to which object, when."""
    if g.get("user") is None:
        return redirect(url_for("console.login", next=request.path))
    if not reader.may_read(g.user):
        abort(403)
    raw = {k: v for k, v in request.args.items() if v != "" and k != "lang"}
    errors = None
    try:
        args = query(AuditQuerySchema().load(raw))
    except (ValidationError, ApiError) as exc:
        errors = getattr(exc, "messages", None) or getattr(exc, "errors", None) or {}
        args = query(AuditQuerySchema().load({}))
    audit.append(database("audit"), g.user["username"], "audit.read", "audit",
                 {k: args.get(k) for k in ("since", "until", "actor", "action", "subject", "after")})
    result = reader.page(database("audit"), args)
    export = {k: args[k] for k in ("since", "until", "actor", "action", "subject") if args.get(k)}
    return render_template("audit_log.html", result=result, args=args, errors=errors, export=export)
