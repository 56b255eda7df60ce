"""Console page for enterprises' avoidance applications (回避申请): the list, the form, the decisions."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import t
from schemas.common import translate_errors
from server.accounts import roles
from server.console.views import staff_only
from server.db import database, registry
from server.errors import ApiError
from server.plans import avoidance_requests as service
from server.registry import store

bp = Blueprint("avoidance_console", __name__)


def _page(status: int = 200, errors=None, message: str | None = None, form=None):
    args_status = request.args.get("status") if request.args.get("status") in service.STATUSES else None
    after = request.args.get("after") or None
    if after and not (after.startswith("avoidance_application:") and len(after) <= 60):
        after = None
    result = service.listing(registry(), g.user, args_status, after, 50)
    people = store.search_inspectors(registry(), roles.scope_prefix(g.user),
                                     {"page": 1, "per_page": 200, "kind": "inspector"})["items"]
    return render_template("avoidance_applications.html", result=result, status=args_status, errors=errors,
                           message=message, form=form or {}, people=people,
                           done=request.args.get("done")), status


@bp.get("/console/avoidance")
def applications_page():
    """Applications with their outcome; record a new one; decide pending ones."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return _page()


def _attempt(act, form):
    try:
        return act()
    except ValidationError as exc:
        return _page(422, translate_errors(exc.messages), t("error.validation"), form)
    except ApiError as exc:
        return _page(exc.status, exc.errors, exc.message, form)


@bp.post("/console/avoidance")
def record_application():
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    form = {k: request.form.get(k, "")[:600] for k in ("enterprise", "inspector", "reason", "received_on")}

    def act():
        service.record(registry(), database("audit"), g.user, service.ApplicationSchema().load(form))
        return redirect(url_for("avoidance_console.applications_page", done="recorded"))
    return _attempt(act, form)


@bp.post("/console/avoidance/<key>/decision")
def decide_application(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    body = {"decision": request.form.get("decision", ""), "reason": request.form.get("reason", "")[:600]}

    def act():
        service.decide(registry(), database("audit"), g.user, key, service.DecisionSchema().load(body))
        return redirect(url_for("avoidance_console.applications_page", done=body["decision"]))
    return _attempt(act, {})
