"""API for checklist templates: everyone signed in may read; each level's publishers publish new versions
(server/registry/checklist_scope.py), each version audited."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from i18n import t

from schemas.checklist import ChecklistTemplateSchema
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import registry
from server.errors import ApiError
from server import audit_trail
from server.registry import checklist_scope, checklists

blp = Blueprint("checklists", __name__, url_prefix="/api/v1/checklists", description="Checklist templates (检查事项)")
EVERYONE = roles.ROLES


@blp.route("", methods=["GET"])
@require(*EVERYONE)
@blp.response(200, ChecklistTemplateSchema(many=True))
def list_templates():
    """The latest version of every template."""
    return checklists.latest_templates(registry())


@blp.route("", methods=["POST"])
@require(*roles.STAFF)
@blp.response(201, ChecklistTemplateSchema)
def publish():
    """Publish a template (a template document without `_id`, `type` and `version`) as the next version
    of its key; earlier versions are kept unchanged."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("key"), str) or len(body["key"]) > 64:
        raise ApiError("validation", errors={"key": [t("mm.required")]})
    current = checklists.get_template(registry(), body["key"])
    owner = checklist_scope.check_publish(current_user(), current)   # 403 unless this level's publisher
    doc = checklists.publish_version(registry(), body, current_user()["username"], owner)
    audit_trail.record("checklist.publish", doc["_id"], {
        "key": doc["key"], "version": doc["version"], **owner,
        "items": {"before": len((current or {}).get("items", [])), "after": len(doc.get("items", []))},
        "previous": current["_id"] if current else None})
    return doc


@blp.route("/<string:key>", methods=["GET"])
@require(*EVERYONE)
@blp.response(200, ChecklistTemplateSchema)
def latest(key):
    """The latest version of one template."""
    doc = checklists.get_template(registry(), key) if len(key) <= 64 else None
    if doc is None:
        raise ApiError("not_found")
    return doc


@blp.route("/<string:key>/v<int:version>", methods=["GET"])
@require(*EVERYONE)
@blp.response(200, ChecklistTemplateSchema)
def one_version(key, version):
    """One version of a template."""
    doc = checklists.get_template(registry(), key, version) if len(key) <= 64 else None
    if doc is None:
        raise ApiError("not_found")
    return doc
