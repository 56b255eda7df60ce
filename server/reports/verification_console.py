"""Console page of a report's verification (/console/reports/<key>/verify): choose the team and open the task,
follow it, record the verdict; the reward panel (server/reports/rewards_console.py) sits on the same page."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError, fields, validate

from i18n import t
from schemas.common import StrictSchema, Text, translate_errors
from server.console.views import staff_only
from server.db import database, registry
from server.errors import ApiError
from server.reports import outcome, rewards, verification

bp = Blueprint("report_verify", __name__)


class OpenForm(StrictSchema):
    inspectors = fields.List(fields.String(validate=validate.Regexp(r"^inspector:[0-9a-f]{12}$")),
                             required=True, validate=validate.Length(min=2, max=10))
    enterprise = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9A-HJ-NPQRTUWXY]{18}$"))
    window_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=verification.MAX_WINDOW_DAYS))


class OutcomeForm(StrictSchema):
    result = fields.String(required=True, validate=validate.OneOf(outcome.RESULTS))
    note = Text(max_length=500, min_length=4, required=True)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    from server.reports import rewards_console
    app.register_blueprint(rewards_console.bp)


def _enterprise(report: dict) -> dict | None:
    uscc = report.get("enterprise") or (report.get("verification") or {}).get("enterprise")
    return registry().get_or_none(f"enterprise:{uscc}") if uscc else None


def _inspection(task_id: str) -> dict | None:
    found = database("records").find({"type": "inspection", "task": task_id}, limit=20,
                                     fields=["_id", "review_status", "number"])
    return found[-1] if found else None


def page_context(report: dict) -> dict:
    """What the page shows: the report without anything that names the reporter, the task and its team,
    the inspection's review state, the cases found, the reward and its scale."""
    task_id = (report.get("verification") or {}).get("task")
    task = registry().get_or_none(task_id) if task_id else None
    enterprise = _enterprise(report)
    team = registry().docs_by_id(task["inspectors"]) if task else {}
    cases = database("records").docs_by_id((report.get("outcome") or {}).get("cases") or [])
    reward = report.get("reward")
    return {"report": report, "key": report["_id"].split(":", 1)[1], "task": task, "enterprise": enterprise,
            "team": [team[p].get("name", "") for p in (task or {}).get("inspectors", []) if p in team],
            "candidates": verification.qualified_inspectors(g.user, enterprise)
            if enterprise and not task and report.get("status") in verification.OPENABLE else [],
            "inspection": _inspection(task_id) if task_id else None, "cases": list(cases.values()),
            "brief": verification.brief(report), "scale": rewards.scale(),
            "grade": rewards.default_grade(report) if report.get("status") == "verified_true" else None,
            "may_approve": bool(reward) and reward.get("proposed_by") != g.user["username"],
            "methods": rewards.METHODS, "today": rewards.clock.today().isoformat()}


def render_page(report: dict, status: int = 200, **extra):
    return render_template("reports/verification.html", **page_context(report), **extra), status


@bp.get("/console/reports/<key>/verify")
def verify_page(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        report = verification.load_report(g.user, key)
    except ApiError:
        abort(404)
    return render_page(report, done=request.args.get("done"))


def act(key: str, action: str, run):
    """Load the report (404 outside the region, before anything else), run the form's action; on a refusal
    the page again with the reason, on success back to the page."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    try:
        report = verification.load_report(g.user, key)
    except ApiError:
        abort(404)
    form = request.form
    try:
        run(report, form)
    except ValidationError as exc:
        fresh = verification.load_report(g.user, key)
        return render_page(fresh, 422, error=t("error.validation"), errors=translate_errors(exc.messages), form=form)
    except ApiError as exc:
        fresh = verification.load_report(g.user, key)
        return render_page(fresh, exc.status, error=exc.message, errors=exc.errors or {}, form=form)
    return redirect(url_for("report_verify.verify_page", key=key, done=action))


def _open(report: dict, form) -> None:
    data = OpenForm().load({"inspectors": form.getlist("inspectors"),
                            **{k: form[k] for k in ("enterprise", "window_days") if form.get(k, "").strip()}})
    verification.open_verification(report, g.user, data["inspectors"], enterprise=data["enterprise"],
                                   window_days=data["window_days"])


def _verdict(report: dict, form) -> None:
    data = OutcomeForm().load({k: form.get(k, "") for k in ("result", "note")})
    outcome.record(report, g.user, data["result"], data["note"])


@bp.post("/console/reports/<key>/verify")
def open_task(key):
    """Open the verification task with the chosen team (dispatched to their phones at once)."""
    return act(key, "verify", _open)


@bp.post("/console/reports/<key>/outcome")
def record_outcome(key):
    """Record the verdict (查实 / 不属实) on a report under verification, with an internal note."""
    return act(key, "outcome", _verdict)
