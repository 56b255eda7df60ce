"""API for user accounts: admins manage them; supervisors may read those in their region."""
from __future__ import annotations

from flask_smorest import Blueprint

from schemas.accounts import UserCreateSchema, UserSchema, UserUpdateSchema
from schemas.common import PageArgs
from server.accounts import roles, store
from server.accounts.guard import auth_cache, current_user, require
from server.db import registry
from server.errors import ApiError
from server.registry.store import page, scope_selector
from sync.couch import Conflict

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
    try:
        return store.create_user(registry(), data)
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
    updated = store.update_user(registry(), _visible_user(username), changes)
    auth_cache().clear()
    return updated
