"""Console pages of plans (双随机抽查计划): the lists, the approval inbox, the new-plan form, a plan and its draw.

Every page reads plans through `access.load_plan` (secret to all but author, approver and admins; each look
audited) and changes them only through the API's own functions (`console_actions`), so the console and the
API keep one set of rules.
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for

from i18n import t
from schemas.plan_rules import DEFAULT_CAPS
from server import audit
from server.accounts import roles
from server.console.views import page_no, staff_only
from server.db import registry
from server.errors import ApiError
from server.plans import console_form, draw_view
from server.plans.access import audit_db, load_plan
from server.plans.console_actions import call_api
from server.hazards.service import today
from server.registry.store import page as mango_page
from server.workbench.counts import publications

bp = Blueprint("plans_console", __name__)
PER_PAGE = 20
STATUSES = ("draft", "drawn", "approved", "dispatched", "closed")


def init_app(app: Flask) -> None:
    from server.plans import console_actions, console_publication, console_reassign, console_text
    app.register_blueprint(bp)
    for name, function in console_text.GLOBALS.items():
        app.add_template_global(function, name)
    app.register_blueprint(console_actions.bp)
    app.register_blueprint(console_publication.bp)
    app.register_blueprint(console_reassign.bp)


def visible_plans(selector: dict, number: int, who: str) -> dict:
    """A page of plans the user wrote (`author`) or must approve (`approver`); admins may list `all`."""
    if who == "all" and g.user["role"] == roles.ADMIN:
        return mango_page(registry(), selector, number, PER_PAGE)
    field = "approver" if who == "approver" else "author"
    return mango_page(registry(), {**selector, field: g.user["username"]}, number, PER_PAGE)


@bp.get("/console/plans")
def plan_list():
    """Plans the supervisor wrote or must approve, by state, paged."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    who = request.args.get("who") if request.args.get("who") in ("author", "approver", "all") else "author"
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    result = visible_plans({"type": "plan", "status": status or {"$gt": None}}, page_no(), who)
    audit.append(audit_db(), g.user["username"], "plan.list", "console", {"who": who, "page": result["page"]})
    late = publications(today())[1]
    return render_template("plans/list.html", result=result, who=who, status=status, statuses=STATUSES, late=late)


@bp.get("/console/plans/inbox")
def inbox():
    """待我审批: drawn plans naming me as approver, and re-draw requests someone else made on my plans."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    me = g.user["username"]
    waiting = mango_page(registry(), {"type": "plan", "status": "drawn", "approver": me}, page_no(), PER_PAGE)
    requests = mango_page(registry(), {"type": "plan", "status": {"$in": ["drawn", "approved"]},
                                       "redraw_request.by": {"$gt": None, "$ne": me}}, page_no("rpage"), PER_PAGE)
    requests["items"] = [p for p in requests["items"] if me in (p["author"], p["approver"])
                         or g.user["role"] == roles.ADMIN]
    from server.plans.console_reassign import waiting as reassignments
    moves = reassignments(g.user, page_no("tpage"), PER_PAGE)
    audit.append(audit_db(), me, "plan.inbox", "console", {"page": waiting["page"]})
    return render_template("plans/inbox.html", waiting=waiting, requests=requests, moves=moves)


@bp.route("/console/plans/new", methods=["GET", "POST"])
def new_plan():
    """The new-plan form: 预览 shows pool sizes per tier; 保存 creates the draft through the API's code."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    form = request.form if request.method == "POST" else None
    body = console_form.body_from_form(form) if form else None
    errors, preview, status = None, None, 200
    if form:
        loaded, errors = console_form.validate(body)
        if loaded and form.get("action") == "save":
            try:
                plan = call_api("plans.create", loaded)
                return redirect(url_for("plans_console.plan_page", key=plan["_id"][5:], done="created"))
            except ApiError as exc:
                errors = exc.errors or {"_": [exc.message or t("pc.refused")]}
        elif loaded:
            preview = console_form.preview(registry(), loaded, g.user)
        status = 422 if errors else 200
    regions = (body or {}).get("rules", {}).get("scope", {}).get("regions") or [g.user["region"]]
    approvers = console_form.eligible_approvers(registry(), g.user, regions)
    return render_template("plans/new.html", form=form, errors=errors or {}, preview=preview,
                           approvers=approvers, choices=console_form.CHOICES, caps_default=DEFAULT_CAPS), status


@bp.get("/console/plans/<key>")
def plan_page(key):
    """A plan: its rules, its current draw (targets by tier, teams, exclusions), what may be done next."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return render_plan(key)


def render_plan(key: str, error: str | None = None, errors: dict | None = None) -> str:
    """The plan page (404 for a plan the user may not see); `error` says why an action was refused."""
    try:
        plan = load_plan(key)
    except ApiError:
        abort(404)
    me = g.user["username"]
    verify = request.args.get("verify") == "1" or (plan["status"] == "drawn" and me == plan["approver"])
    context = draw_view.context(plan, page_no(), page_no("epage"), verify)
    return render_template("plans/plan.html", plan=plan, key=key, done=request.args.get("done"), error=error,
                           errors=errors or {}, form=request.form, **context)


@bp.get("/console/plans/<key>/draws/<int:number>/pools.json", defaults={"what": "pools"})
@bp.get("/console/plans/<key>/draws/<int:number>/trail.json", defaults={"what": "trail"})
def download(key, number, what):
    """The draw's pool snapshot, or its trail (rules, record, result, re-draws, audit entries), as JSON,
    so that an auditor can recompute the draw elsewhere."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        plan = load_plan(key, f"plan.download_{what}")
    except ApiError:
        abort(404)
    if not 0 < number <= len(plan["draws"]):
        abort(404)
    return draw_view.download(plan, number, what)
