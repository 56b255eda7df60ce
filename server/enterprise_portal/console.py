"""The bureau's side of enterprise self-reports: opening an enterprise's account from its register page
(开通企业账号), and the review queue of submitted self-reports (/console/selfreports, region-scoped, paged)
with accept (each hazard becomes a case of the register, source 企业自查上报) or return with a reason."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, make_response, redirect, render_template, request, url_for
from marshmallow import ValidationError

from schemas.common import PageArgs, translate_errors
from schemas.selfreports import DecisionSchema
from server.accounts import roles
from server.console.views import staff_only
from server.db import registry
from server.enterprise_portal import accounts, selfcheck, store
from server.errors import ApiError
from server.registry.store import enterprise_id
from server.review.console import form_args

bp = Blueprint("selfreport_review", __name__)
STATUSES = ("submitted", "returned", "accepted")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["enterprise_account_box"] = account_box


def account_box(enterprise: dict) -> dict:
    """What the enterprise's register page shows of its account, and whether this reader may open one."""
    found = accounts.account_of(enterprise["uscc"])
    user = (found or {}).get("user") or {}
    return {"exists": bool(found), "username": (found or {}).get("claim", {}).get("username"),
            "active": user.get("active", True) and bool(user), "must_change": user.get("must_change_password"),
            "may_open": (not found and enterprise.get("active") is not False
                         and accounts.may_manage(g.get("user"), enterprise)),
            "suggested": accounts.suggested_username(enterprise["uscc"])}


def _enterprise(uscc: str) -> dict:
    doc = registry().get_or_none(enterprise_id(uscc)) if len(uscc) == 18 else None
    if not doc or doc.get("type") != "enterprise" or not roles.in_scope(g.user, doc.get("region")):
        abort(404)
    return doc


@bp.post("/console/enterprises/<uscc>/account")
def open_account(uscc):
    """开通企业账号: the initial password is shown on this answer only, for the bureau to hand over."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    enterprise = _enterprise(uscc)
    try:
        user, password = accounts.create_account(g.user, enterprise, request.form.get("username", "")[:64],
                                                 request.form.get("display_name", "")[:100])
    except ApiError as exc:
        detail = "; ".join(m for msgs in (exc.errors or {}).values() for m in msgs) if exc.errors else ""
        return render_template("enterprise_portal/account_created.html", e=enterprise, error=detail or exc.message,
                               form=request.form), exc.status
    resp = make_response(render_template("enterprise_portal/account_created.html", e=enterprise, user=user,
                                         password=password), 201)
    resp.headers["Cache-Control"] = "no-store"   # the password is not kept in any cache
    return resp


@bp.get("/console/selfreports")
def queue_page():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    status = request.args.get("status", "submitted")
    if status not in STATUSES:
        status = "submitted"
    args, errors = form_args(PageArgs, {k: v for k, v in request.args.items() if k in ("page", "per_page")})
    result = store.queue(g.user, status, args["page"], args["per_page"])
    return render_template("enterprise_portal/queue.html", result=result, status=status, statuses=STATUSES,
                           errors=errors)


def _review(report: dict, error: str | None = None, errors: dict | None = None, status: int = 200):
    template = store.template_of(report)
    return render_template("enterprise_portal/review.html", r=report, key=report["_id"].split(":", 1)[1],
                           tpl=template, items=selfcheck.checklist_items(template, report.get("sector")), error=error,
                           errors=errors or {}, done=request.args.get("done"), photo_url=staff_photo_url), status


def staff_photo_url(key: str, variant: str) -> str:
    return url_for("review_console.photo", key=key, variant=variant)


@bp.get("/console/selfreports/<key>")
def report_page(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        return _review(store.load_in_scope(g.user, key))
    except ApiError:
        abort(404)


@bp.post("/console/selfreports/<key>/decision")
def decide(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        report = store.load_in_scope(g.user, key)
    except ApiError:
        abort(404)
    try:
        data = DecisionSchema().load({"decision": request.form.get("decision", ""),
                                      "reason": request.form.get("reason", "")})
        store.decide(g.user, key, data["decision"], data["reason"])
    except ValidationError as exc:
        return _review(report, None, translate_errors(exc.messages), 422)
    except ApiError as exc:
        if exc.code == "not_found":
            abort(404)
        return _review(report, exc.message, exc.errors if isinstance(exc.errors, dict) else None, exc.status)
    return redirect(url_for("selfreport_review.report_page", key=key, done="1"))
