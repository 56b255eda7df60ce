"""Console page of one inspector's availability (/console/inspectors/<key>/availability): certificate
validity (执法证有效期) and leave periods (请假), each change validated and audited."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from schemas.common import translate_errors
from schemas.registry import InspectorSchema
from server import audit
from server.accounts import roles
from server.console.views import staff_only
from server.db import database, registry
from server.plans import certificates
from server.registry import store

bp = Blueprint("availability_console", __name__)


def _person(key: str) -> dict:
    doc = registry().get_or_none(f"inspector:{key}") if len(key) == 12 and key.isalnum() else None
    if not doc or doc.get("type") != "inspector" or not roles.in_scope(g.user, doc["region"]):
        abort(404)
    return doc


def messages(errors) -> list[str]:
    """Every message of a (nested) marshmallow error structure, in order."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages(value)]
    if isinstance(errors, (list, tuple)):
        return [m for value in errors for m in messages(value)]
    return []


def _render(doc: dict, status: int = 200, errors=None, done: str | None = None):
    return render_template("inspector_availability.html", p=doc, key=doc["_id"].split(":", 1)[1],
                           cert=certificates.state(doc), errors=errors, done=done or request.args.get("done")), status


@bp.get("/console/inspectors/<key>/availability")
def availability_page(key):
    """Certificate validity and leave of one inspector or expert."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return _render(_person(key))


def _change(doc: dict, changes: dict, action: str, field: str, done: str):
    """Validate the change like the API does, save it, audit before and after, back to the page."""
    try:
        loaded = InspectorSchema(partial=True).load(changes)
    except ValidationError as exc:
        return _render(doc, 422, messages(translate_errors(exc.messages)))
    before = doc.get(field)
    saved = store.inspector_doc(loaded, existing=doc)
    registry().put_once(saved)
    audit.append(database("audit"), g.user["username"], action, saved["_id"], {"before": before, "after": saved.get(field)})
    return redirect(url_for("availability_console.availability_page", key=saved["_id"].split(":", 1)[1], done=done))


@bp.post("/console/inspectors/<key>/certificate")
def set_certificate(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    value = request.form.get("cert_expires", "")[:20] or None
    return _change(_person(key), {"cert_expires": value}, "inspector.certificate", "cert_expires", "certificate")


@bp.post("/console/inspectors/<key>/leave")
def add_leave(key):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _person(key)
    entry = {k: request.form.get(k, "")[:120] for k in ("start", "end", "reason")}
    return _change(doc, {"leave": list(doc.get("leave") or []) + [entry]}, "inspector.leave", "leave", "leave_added")


@bp.post("/console/inspectors/<key>/leave/<int:number>/remove")
def remove_leave(key, number):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    doc = _person(key)
    leave = list(doc.get("leave") or [])
    if not 0 <= number < len(leave):
        abort(404)
    return _change(doc, {"leave": leave[:number] + leave[number + 1:]}, "inspector.leave", "leave", "leave_removed")
