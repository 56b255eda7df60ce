"""API for enterprises (检查对象名录库) and their sites, scoped to the caller's region."""
from __future__ import annotations

from flask_smorest import Blueprint

from schemas.registry import (EnterpriseCreateSchema, EnterpriseOutSchema, EnterprisePageSchema,
                              EnterpriseSchema, EnterpriseSearchArgs, SiteOutSchema, SiteSchema)
from server import audit_trail
from server.accounts import roles
from server.accounts.guard import current_user, require, require_scope
from server.db import registry
from server.errors import ApiError
from server.registry import store
from sync.couch import Conflict

blp = Blueprint("enterprises", __name__, url_prefix="/api/v1/enterprises",
                description="Enterprises and their sites (检查对象名录库)")


def load_enterprise(uscc: str) -> dict:
    """The enterprise if it exists and lies in the caller's scope; 404 otherwise (no existence leak)."""
    doc = registry().get_or_none(store.enterprise_id(uscc)) if len(uscc) == 18 else None
    if not doc or doc.get("type") != "enterprise" or not roles.in_scope(current_user(), doc["region"]):
        raise ApiError("not_found")
    return doc


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(EnterpriseSearchArgs, location="query")
@blp.response(200, EnterprisePageSchema)
def list_enterprises(args):
    """Search enterprises by name or credit code, region, industry and risk colour."""
    return store.search_enterprises(registry(), roles.scope_prefix(current_user()), args)


@blp.route("", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(EnterpriseCreateSchema)
@blp.response(201, EnterpriseOutSchema)
def create_enterprise(data):
    """Register an enterprise, with its main site if given."""
    require_scope(data["region"])
    doc = store.enterprise_doc(data)
    try:
        registry().create(doc)
    except Conflict:
        raise ApiError("conflict", errors={"uscc": ["exists"]}) from None
    if data.get("site"):
        registry().put(store.site_doc(doc, 1, data["site"]))
    audit_trail.record("enterprise.create", doc["_id"], audit_trail.changes({}, doc))
    return doc


@blp.route("/<string:uscc>", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, EnterpriseOutSchema)
def get_enterprise(uscc):
    """One enterprise."""
    return load_enterprise(uscc)


@blp.route("/<string:uscc>", methods=["PATCH"])
@require(*roles.STAFF)
@blp.arguments(EnterpriseSchema(partial=True, exclude=("uscc",)))
@blp.response(200, EnterpriseOutSchema)
def update_enterprise(changes, uscc):
    """Change an enterprise's fields (its credit code is its key and cannot change)."""
    doc = load_enterprise(uscc)
    before = dict(doc)
    if "region" in changes:
        require_scope(changes["region"])
    doc = store.enterprise_doc(changes, existing=doc)
    registry().put_once(doc)
    audit_trail.record("enterprise.update", doc["_id"], audit_trail.changes(before, doc))
    if "region" in changes:
        from server.enterprise_portal import accounts as enterprise_accounts
        enterprise_accounts.follow_region(uscc, doc["region"])  # its account is reviewed by the new region
        for site in store.sites_of(registry(), uscc):
            registry().put(store.site_doc(doc, 0, {}, existing=site))
    return doc


@blp.route("/<string:uscc>", methods=["DELETE"])
@require(*roles.STAFF)
@blp.response(200, EnterpriseOutSchema)
def deregister_enterprise(uscc):
    """Mark an enterprise as no longer in the register; its history is kept (records are kept 3+ years)."""
    doc = load_enterprise(uscc)
    before = dict(doc)
    doc = store.enterprise_doc({"active": False}, existing=doc)
    registry().put_once(doc)
    audit_trail.record("enterprise.deregister", doc["_id"], audit_trail.changes(before, doc))
    from server.enterprise_portal import accounts as enterprise_accounts
    enterprise_accounts.disable_for(uscc, "deregistered")  # the enterprise's own account ends with it
    return doc


@blp.route("/<string:uscc>/sites", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, SiteOutSchema(many=True))
def list_sites(uscc):
    """The enterprise's sites."""
    load_enterprise(uscc)
    return store.sites_of(registry(), uscc)


@blp.route("/<string:uscc>/sites", methods=["POST"])
@require(*roles.STAFF)
@blp.arguments(SiteSchema)
@blp.response(201, SiteOutSchema)
def add_site(data, uscc):
    """Add a site to the enterprise."""
    enterprise = load_enterprise(uscc)
    existing = store.sites_of(registry(), uscc)
    if len(existing) >= 99:
        raise ApiError("conflict", errors={"sites": ["at most 99 sites"]})
    number = max((int(s["_id"].rsplit(":", 1)[1]) for s in existing), default=0) + 1
    doc = store.site_doc(enterprise, number, data)
    registry().create(doc)   # two sites added at once get the same number: one is refused, none lost
    audit_trail.record("site.create", doc["_id"], audit_trail.changes({}, doc))
    return doc


@blp.route("/<string:uscc>/sites/<int:number>", methods=["PATCH"])
@require(*roles.STAFF)
@blp.arguments(SiteSchema(partial=True))
@blp.response(200, SiteOutSchema)
def update_site(changes, uscc, number):
    """Change a site (address, coordinates, geofence radius)."""
    enterprise = load_enterprise(uscc)
    site = registry().get_or_none(store.site_id(uscc, number)) if 0 < number < 100 else None
    if not site:
        raise ApiError("not_found")
    merged = {**{k: site.get(k) for k in ("lng", "lat")}, **changes}
    SiteSchema().load({k: v for k, v in {**site, **merged}.items() if k in SiteSchema().fields})
    before = dict(site)
    doc = store.site_doc(enterprise, number, changes, existing=site)
    registry().put_once(doc)
    audit_trail.record("site.update", doc["_id"], audit_trail.changes(before, doc))
    return doc
