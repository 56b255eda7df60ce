"""API for user accounts: admins manage them; supervisors may read those in their region."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from schemas.accounts import UserCreateSchema, UserSchema, UserUpdateSchema
from schemas.common import PageArgs
from server import audit_trail
from server.accounts import roles, sessions, store
from server.accounts.guard import auth_cache, current_user, require
from server.db import registry
from server.errors import ApiError
from server.registry.store import page, scope_selector
from sync.couch import Conflict

# What a user change is audited with (the password itself never: only that a new one was set).
USER_FIELDS = ("role", "region", "active", "display_name", "inspector_id", "password_set",
               "may_reveal_reporters")   # who may reveal a reporter (issue 15) is itself audited
blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="User accounts")


def _visible_user(username: str) -> dict:
    doc = store.get_user(registry(), username)
    if not doc or not roles.in_scope(current_user(), doc["region"]):
        raise ApiError("not_found")
    return doc


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(PageArgs, location="query")
@blp.response(200, UserSchema(many=True))
def list_users(args):
    """Users in the caller's region and below."""
    sel = {"type": "user", "region": scope_selector(roles.scope_prefix(current_user()), None)}
    return page(registry(), sel, args["page"], args["per_page"])["items"]


@blp.route("", methods=["POST"])
@require(roles.ADMIN)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
def create_user(data):
    """Create a user (admins only)."""
    # A password an admin chose is known to the admin: the user replaces it at the first sign-in.
    data["must_change_password"] = current_app.config["PASSWORD_CHANGE_REQUIRED"]
    try:
        doc = store.create_user(registry(), data)
    except Conflict:
        raise ApiError("conflict", errors={"username": ["exists"]}) from None
    audit_trail.record("user.create", doc["_id"], audit_trail.changes({}, doc, USER_FIELDS))
    return doc


@blp.route("/<string:username>", methods=["GET"])
@require(*roles.STAFF)
@blp.response(200, UserSchema)
def get_user(username):
    """One user."""
    return _visible_user(username)


@blp.route("/<string:username>", methods=["PATCH"])
@require(roles.ADMIN)
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
def update_user(changes, username):
    """Change a user; a new password, role, region or deactivation ends their sessions and tokens."""
    doc = _visible_user(username)
    before = {**doc, "password_set": False}
    if "password" in changes:
        changes = {**changes, "must_change_password": current_app.config["PASSWORD_CHANGE_REQUIRED"]}
    updated = store.update_user(registry(), doc, changes)
    auth_cache().clear()
    after = {**updated, "password_set": "password" in changes}
    audit_trail.record("user.update", updated["_id"], audit_trail.changes(before, after, USER_FIELDS))
    return updated


@blp.route("/<string:username>/revoke-sessions", methods=["POST"])
@require(roles.ADMIN)
@blp.response(200, UserSchema)
def revoke_user_sessions(username):
    """End every session and token of a user (admins; e.g. a lost phone)."""
    doc = _visible_user(username)
    doc["session_version"] = doc.get("session_version", 1) + 1   # ends their tokens too
    doc["updated_at"] = store.now_iso()
    registry().put(doc)
    ended = sessions.revoke_all(registry(), doc["username"])
    auth_cache().clear()
    audit_trail.record("user.sessions_revoked", doc["_id"], {"sessions": ended})
    return doc
