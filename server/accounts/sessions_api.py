"""API for one's own account: the sessions and tokens signed in as me (see, revoke), and my password."""
from __future__ import annotations

from flask import g, session
from flask_smorest import Blueprint
from marshmallow import fields, validate

from i18n import t
from schemas.common import StrictSchema
from server import audit_trail
from server.accounts import guard, sessions, store
from server.db import registry
from server.errors import ApiError

blp = Blueprint("sessions", __name__, url_prefix="/api/v1/account", description="My sessions, tokens and password")


class SessionOutSchema(StrictSchema):
    id = fields.String()
    created_at = fields.String()
    expires_at = fields.String()
    ip = fields.String()
    agent = fields.String()
    current = fields.Boolean()


class TokenOutSchema(StrictSchema):
    id = fields.String()
    label = fields.String()
    created_at = fields.String()
    expires_at = fields.String()


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256))


def my_sessions(user: dict) -> list[dict]:
    here = session.get("sid") if g.auth == "session" else None
    mine = sessions.current_id(here) if isinstance(here, str) else None
    return [{"id": sessions.public_id(d), "created_at": d["created_at"], "expires_at": d["expires_at"],
             "ip": d.get("ip", ""), "agent": d.get("agent", ""), "current": sessions.public_id(d) == mine}
            for d in sessions.of_user(registry(), user["username"])]


def my_tokens(user: dict) -> list[dict]:
    return [{"id": d["_id"][len("token:"):][:16], "label": d.get("label", ""), "created_at": d["created_at"],
             "expires_at": d["expires_at"]} for d in store.tokens_of(registry(), user)]


def revoke_own(user: dict, short: str, doc_type: str) -> None:
    """Revoke one of the user's own sessions or tokens; someone else's answers like an unknown one (404)."""
    doc = sessions.by_public_id(registry(), user["username"], short, doc_type)
    if doc is None or (doc_type == "session" and not sessions.live(doc)):
        raise ApiError("not_found")
    if doc_type == "session":
        sessions.revoke_doc(registry(), doc)
    else:
        store.revoke_token_doc(registry(), doc)
    guard.auth_cache().clear()
    audit_trail.record(f"{doc_type}.revoke", f"user:{user['username']}", {doc_type: short})


def set_own_password(user: dict, current: str, new: str) -> dict:
    """Self-service: the current password proves it is the owner; every other session and token ends,
    this browser gets a fresh session."""
    if store.authenticate(registry(), user["username"], current) is None:
        raise ApiError("validation", errors={"current_password": [t("account.password_wrong")]})
    doc = store.get_user(registry(), user["username"])
    updated = store.update_user(registry(), doc, {"password": new, "must_change_password": False})
    sessions.revoke_all(registry(), user["username"])
    guard.auth_cache().clear()
    audit_trail.record("user.password", updated["_id"], {"by": "self"})
    if g.auth == "session":
        guard.start_session(updated)
    return updated


@blp.route("/sessions", methods=["GET"])
@blp.response(200, SessionOutSchema(many=True))
def list_sessions():
    """My signed-in browser sessions (this one marked `current`)."""
    return my_sessions(guard.current_user())


@blp.route("/sessions/<string:sid>", methods=["DELETE"])
@blp.response(204)
def revoke_session(sid):
    """Sign out one of my sessions (another device, or this one)."""
    revoke_own(guard.current_user(), sid, "session")


@blp.route("/tokens", methods=["GET"])
@blp.response(200, TokenOutSchema(many=True))
def list_tokens():
    """My bearer tokens that still work (never the tokens themselves: only their short ids)."""
    return my_tokens(guard.current_user())


@blp.route("/tokens/<string:token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_token(token_id):
    """Revoke one of my tokens."""
    revoke_own(guard.current_user(), token_id, "token")


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change my password (refused if common or trivial); my other sessions and tokens end."""
    set_own_password(guard.current_user(), data["current_password"], data["new_password"])
