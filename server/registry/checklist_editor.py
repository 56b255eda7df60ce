"""Console editor of checklist templates: a new version from an existing one (wording, violation
statements, basis, answer type, sector, major), validated by the template schema, audited."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import t
from schemas.checklist import ANSWER_KINDS
from server import audit
from server.console.views import staff_only
from server.db import database, registry
from server.errors import ApiError
from server.registry import checklist_scope, checklists
from server.registry.checklist_form import error_lines, template_body
from sync.couch import Conflict

bp = Blueprint("checklist_editor", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _base(key: str, version: int) -> dict:
    doc = checklists.get_template(registry(), key, version) if len(key) <= 64 else None
    if doc is None:
        abort(404)
    return doc


def _page(base: dict, items: list[dict], errors: list[str] | None = None, status: int = 200):
    return render_template("checklist_edit.html", base=base, items=items, errors=errors or [],
                           kinds=ANSWER_KINDS), status


@bp.get("/console/checklists/<key>/v<int:version>/edit")
def edit(key, version):
    """The form for the next version, filled in from this one."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    base = _base(key, version)
    return _page(base, base["items"])


@bp.post("/console/checklists/<key>/v<int:version>/edit")
def publish(key, version):
    """Publish the edited items as the next version; the form comes back with every error named."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    base = _base(key, version)
    current = checklists.get_template(registry(), key)
    try:   # the level's publishers only (built-in, province, city, county: server/registry/checklist_scope.py)
        owner = checklist_scope.check_publish(g.user, current)
    except ApiError as exc:
        return _page(base, base["items"], [exc.message or t("error.forbidden")], 403)
    body = template_body(request.form, base)
    try:
        doc = checklists.publish_version(registry(), body, g.user["username"], owner)
    except ValidationError as exc:
        return _page(base, body["items"], error_lines(exc.messages, body["items"]), 422)
    except Conflict:
        return _page(base, body["items"], [t("ui.records.editor.conflict")], 409)
    audit.append(database("audit"), g.user["username"], "checklist.publish", doc["_id"],
                 {"from": base["_id"], "items": {"before": len(base["items"]), "after": len(doc["items"])}, **owner})
    return redirect(url_for("console.checklist", key=doc["key"], version=doc["version"]))
