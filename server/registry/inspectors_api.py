"""API for inspectors and experts (执法检查人员名录库), scoped to the caller's region."""
from __future__ import annotations

from flask_smorest import Blueprint

from schemas.registry import InspectorOutSchema, InspectorPageSchema, InspectorSchema, InspectorSearchArgs
from server import audit, audit_trail
from server.accounts import roles
from server.accounts.guard import current_user, require, require_scope
from server.db import database, registry
from server.errors import ApiError
from server.registry import store

blp = Blueprint("inspectors", __name__, url_prefix="/api/v1/inspectors",
                description="Inspectors and experts (执法检查人员名录库)")


def load_inspector(key: str) -> dict:
    doc = registry().get_or_none(f"inspector:{key}") if len(key) <= 40 else None
    if not doc or doc.get("type") != "inspector" or not roles.in_scope(current_user(), doc["region"]):
        raise ApiError("not_found")
    return doc


def _cert_taken(cert_no: str, own_id: str | None) -> bool:
    other = store.inspectors_by_cert(registry(), [cert_no]).get(cert_no)
    return bool(other) and other["_id"] != own_id


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(InspectorSearchArgs, location="query")
@blp.response(200, InspectorPageSchema)
def list_inspectors(args):
    """Search inspectors and experts by name, certificate number, unit, sector and region."""
    return store.search_inspectors(registry(), roles.scope_prefix(current_user()), args)


@blp.route("", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(InspectorSchema)
@blp.response(201, InspectorOutSchema)
def create_inspector(data):
    """Register an inspector or expert."""
    require_scope(data["region"])
    if _cert_taken(data["cert_no"], None):
        raise ApiError("conflict", errors={"cert_no": ["exists"]})
    doc = store.inspector_doc(data)
    registry().put(doc)
    audit_trail.record("inspector.create", doc["_id"], audit_trail.changes({}, doc))
    _audit_avoidance(doc["_id"], [], doc.get("avoid") or [])
    return doc


@blp.route("/<string:key>", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, InspectorOutSchema)
def get_inspector(key):
    """One inspector or expert."""
    return load_inspector(key)


@blp.route("/<string:key>", methods=["PATCH"])
@require(*roles.STAFF)
@blp.arguments(InspectorSchema(partial=True))
@blp.response(200, InspectorOutSchema)
def update_inspector(changes, key):
    """Change an inspector: sectors, unit, active flag, avoidance entries (回避) …"""
    doc = load_inspector(key)
    before = dict(doc)
    if "region" in changes:
        require_scope(changes["region"])
    if "cert_no" in changes and _cert_taken(changes["cert_no"], doc["_id"]):
        raise ApiError("conflict", errors={"cert_no": ["exists"]})
    avoid_before, leave_before = list(doc.get("avoid") or []), list(doc.get("leave") or [])
    doc = store.inspector_doc(changes, existing=doc)
    registry().put_once(doc)
    audit_trail.record("inspector.update", doc["_id"], audit_trail.changes(before, doc))
    _audit_avoidance(doc["_id"], avoid_before, doc.get("avoid") or [])
    if leave_before != (doc.get("leave") or []):  # availability decides who may be drawn, like 回避
        audit.append(database("audit"), current_user()["username"], "inspector.leave", doc["_id"],
                     {"before": leave_before, "after": doc.get("leave") or []})
    return doc


def _audit_avoidance(inspector: str, before: list, after: list) -> None:
    """A declared conflict of interest (回避) decides who may be drawn: every change is kept, before and after."""
    if before != after:
        audit.append(database("audit"), current_user()["username"], "inspector.avoidance", inspector,
                     {"before": before, "after": after})
