"""API for checklist templates: everyone signed in may read; supervisors and admins publish new versions."""
from __future__ import annotations

from flask_smorest import Blueprint

from schemas.checklist import ChecklistTemplateSchema
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import registry
from server.errors import ApiError
from server.registry import checklists

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
@blp.arguments(ChecklistTemplateSchema(exclude=("_id", "version")))
@blp.response(201, ChecklistTemplateSchema)
def publish(data):
    """Publish a template as the next version of its key (earlier versions are kept unchanged)."""
    return checklists.publish_version(registry(), data, current_user()["username"])


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
