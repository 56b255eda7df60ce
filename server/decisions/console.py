"""Console flow of the 现场处理措施决定书: the form on an inspection (hazards, measures, note), issue, preview."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from i18n import t
from server.console.views import staff_only
from server.decisions import service
from server.errors import ApiError
from server.review.service import hazards_of, load_inspection

bp = Blueprint("decisions_console", __name__)
MAX_FIELD = 2000  # a form value longer than this is refused before it is looked at


def _visible(key: str) -> dict:
    """The inspection if the user may see it; unknown and out of scope are the same 404."""
    try:
        return load_inspection(g.user, key)
    except ApiError:
        abort(404)


def _page(doc: dict, status: int = 200, error: str | None = None, errors=None, form=None):
    hazards = [h for h in hazards_of(doc["_id"]) if h.get("case")]
    return render_template("decision_new.html", doc=doc, key=doc["_id"].split(":", 1)[1], hazards=hazards,
                           measures=service.MEASURES, decisions=service.decisions_of(doc["_id"]),
                           decidable=doc.get("review_status") in service.DECIDABLE,
                           error=error, errors=errors or {}, form=form or {}), status


@bp.get("/console/decisions/new/<key>")
def new_decision(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return _page(_visible(key))


@bp.post("/console/decisions/new/<key>")
def issue_decision(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _visible(key)
    cases = request.form.getlist("case")
    measures = request.form.getlist("measure")
    note = request.form.get("note", "")
    if len(cases) > 200 or len(measures) > 20 or any(len(v) > MAX_FIELD for v in [*cases, *measures, note]):
        return _page(doc, 422, t("error.validation"), {"note": [t("decision.note_too_long", max=service.MAX_NOTE)]},
                     request.form)
    try:
        issued = service.issue(g.user, key, cases, measures, note)
    except ApiError as exc:
        if exc.code == "not_found":
            abort(404)
        return _page(doc, exc.status, exc.message, exc.errors, request.form)
    return redirect(url_for("documents.document", kind="decision", doc_uuid=issued["_id"].split(":", 1)[1], fmt="html"),
                    303)
