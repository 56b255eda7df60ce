"""API for user accounts: admins manage them; supervisors may read those in their region."""
from __future__ import annotations

from flask_smorest import Blueprint

from schemas.accounts import UserCreateSchema, UserSchema, UserUpdateSchema
from schemas.common import PageArgs
from server import audit_trail
from server.accounts import roles, sessions, store, users_service
from server.accounts.guard import auth_cache, current_user, require
from server.db import registry
from server.errors import ApiError
from sync.couch import Conflict

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="User accounts")


def _visible_user(username: str) -> dict:
    doc = users_service.visible_user(current_user(), username)
    if doc is None:
        raise ApiError("not_found")
    return doc


@blp.route("", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(PageArgs, location="query")
@blp.response(200, UserSchema(many=True))
def list_users(args):
    """Users in the caller's region and below."""
    return users_service.users_page(current_user(), args["page"], args["per_page"])["items"]


@blp.route("", methods=["POST"])
@require(roles.ADMIN)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
def create_user(data):
    """Create a user (admins only)."""
    try:
        return users_service.create_user(data)   # the console's 新建用户 goes through the same function
    except Conflict:
        raise ApiError("conflict", errors={"username": ["exists"]}) from None


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
    return users_service.update_user(_visible_user(username), changes)


@blp.route("/<string:username>/revoke-sessions", methods=["POST"])
@require(roles.ADMIN)
@blp.response(200, UserSchema)
def revoke_user_sessions(username):
    """End every session and token of a user (admins; e.g. a lost phone)."""
    doc = _visible_user(username)
    doc["session_version"] = doc.get("session_version", 1) + 1   # ends their tokens too
    doc["updated_at"] = store.now_iso()
    registry().put_once(doc)
    ended = sessions.revoke_all(registry(), doc["username"])
    auth_cache().clear()
    audit_trail.record("user.sessions_revoked", doc["_id"], {"sessions": ended})
    return doc
