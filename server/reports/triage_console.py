"""Console pages of report triage (举报分办): the region's queue, a report's page with its possible
duplicates and decision forms, its photos, and the reveal of a named reporter (with a reason, audited).

A report outside the reader's region answers 404, like an unknown one. The report page never shows the
reporter's identity; only the reveal page does, once, to an admin or a user flagged may_reveal_reporters,
after a written reason is given and audited.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, make_response, redirect, render_template, request, url_for

from i18n import Problem, t
from server.accounts import roles
from server.console.views import staff_only
from server.db import registry
from server.errors import ApiError
from server.registry.store import scope_selector
from server.reports import intake, protect, store, triage
from sync.couch import Conflict, NotFound

bp = Blueprint("reports_console", __name__)
MAX_REASON = 1000


def _report(key: str) -> dict:
    try:
        return store.load_in_scope(g.user, key)
    except ApiError:
        abort(404)


def _inspectors() -> list[dict]:
    selector = scope_selector(roles.scope_prefix(g.user), None)
    found = registry().find({"type": "inspector", "region": selector}, limit=200, fields=["_id", "name", "unit", "active"])
    return sorted((i for i in found if i.get("active", True)), key=lambda i: i.get("name", ""))


@bp.get("/console/reports")
def queue():
    """The reports of my region waiting for triage (or in another state), newest first."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    state, error = request.args.get("state", "open"), None
    try:
        page = triage.queue_page(g.user, state, request.args.get("cursor"))
    except Problem as exc:
        page, error = triage.queue_page(g.user, state, None), exc.message()
    return render_template("reports/queue.html", page=page, states=triage.QUEUE_STATES, error=error)


def _page(doc: dict, status: int = 200, error: str | None = None, notice: str | None = None):
    days = current_app.config["REPORT_DUPLICATE_DAYS"]
    return render_template("reports/report.html", report=doc, key=doc["_id"].split(":", 1)[1],
                           duplicates=triage.possible_duplicates(g.user, doc, days), days=days,
                           similar=triage.SIMILAR, inspectors=_inspectors(), error=error, notice=notice,
                           verification=triage.verification_available(), may_reveal=protect.may_reveal(g.user),
                           photos=doc.get("photo_meta") or []), status


@bp.get("/console/reports/<key>")
def report_page(key):
    """One report: what was reported, possible duplicates, the decision."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return _page(_report(key))


def _reason(limit: int = MAX_REASON) -> str:
    return intake.clean_text(request.form.get("reason", ""), limit)[:limit]


@bp.post("/console/reports/<key>/decide")
def decide(key):
    """Decide a report: not a safety matter, referred to another department, or verify."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _report(key)
    decision, reason = request.form.get("decision", ""), _reason()
    department = intake.clean_text(request.form.get("department", ""), 100)[:100] or None
    if decision not in triage.DECISIONS:
        return _page(doc, 422, error=t("report.decision_bad"))
    if not reason:
        return _page(doc, 422, error=t("report.reason_required"))
    if decision == "referred" and not department:
        return _page(doc, 422, error=t("report.department_required"))
    allowed = {i["_id"] for i in _inspectors()}
    team = [m for m in request.form.getlist("team") if m in allowed][:10]
    try:
        doc, opened = triage.decide(g.user, doc, decision, reason, department, team)
    except Conflict:
        return _page(_report(key), 409, error=t("report.changed_meanwhile"))
    except ApiError as exc:
        return _page(store.reports().get(doc["_id"]), exc.status, error=exc.message)
    except Problem as exc:   # the verification task could not be opened (e.g. the team)
        return _page(store.reports().get(doc["_id"]), 422, error=exc.message())
    if opened and not (doc.get("verification") or {}).get("task"):   # the team (or enterprise) is still to choose
        return redirect(url_for("report_verify.verify_page", key=key))
    notice = "report.verification_missing" if opened is None else "report.decided"
    return _page(store.reports().get(doc["_id"]), notice=t(notice))


@bp.post("/console/reports/<key>/duplicate")
def duplicate(key):
    """Mark a report as a duplicate of another report of my region."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _report(key)
    other_key = request.form.get("of", "")
    try:
        other = store.load_in_scope(g.user, other_key)
        triage.mark_duplicate(g.user, doc, other)
    except Conflict:
        return _page(_report(key), 409, error=t("report.changed_meanwhile"))
    except ApiError as exc:
        message = t("report.duplicate_unknown") if exc.code == "not_found" else exc.message
        return _page(doc, 422 if exc.code == "not_found" else exc.status, error=message)
    return redirect(url_for("reports_console.report_page", key=key), 303)


@bp.get("/console/reports/<key>/photo/<int:n>")
def photo(key, n):
    """A report's photo (full or thumbnail, metadata removed at intake) for a reader in scope."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _report(key)
    name = f"{'thumb' if request.args.get('size') == 'thumb' else 'photo'}-{n}.jpg"
    if name not in (doc.get("_attachments") or {}):
        abort(404)
    try:
        data = store.reports().get_attachment(doc["_id"], name)
    except NotFound:
        abort(404)
    resp = Response(data, mimetype="image/jpeg")
    resp.headers.update({"Cache-Control": "private, max-age=3600", "Content-Security-Policy": "default-src 'none'"})
    return resp


@bp.route("/console/reports/<key>/reveal", methods=["GET", "POST"])
def reveal(key):
    """Who sent a named report: shown once, after a written reason, to those allowed; audited."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _report(key)
    if not protect.may_reveal(g.user):
        abort(403)
    if not doc.get("identity"):
        return render_template("reports/reveal.html", report=doc, key=key, identity=None, error=t("report.anonymous")), 404
    if request.method == "GET":
        return render_template("reports/reveal.html", report=doc, key=key, identity=None, error=None)
    reason = _reason()
    if len(reason) < 5:
        return render_template("reports/reveal.html", report=doc, key=key, identity=None,
                               error=t("report.reveal_reason")), 422
    try:
        identity = protect.reveal(doc, g.user, reason)
    except ValueError:
        return render_template("reports/reveal.html", report=doc, key=key, identity=None,
                               error=t("report.reveal_failed")), 500
    resp = make_response(render_template("reports/reveal.html", report=doc, key=key, identity=identity, error=None))
    resp.headers["Cache-Control"] = "no-store"
    return resp
