"""Login, logout, the current session, and bearer tokens for API clients."""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from schemas.accounts import LoginSchema, SessionSchema, TokenRequestSchema, TokenSchema
from server import audit_trail
from server.accounts import guard, store
from server.db import registry
from server.errors import ApiError

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and tokens")


@blp.route("/csrf", methods=["GET"])
@blp.response(200, SessionSchema)
def csrf_token():
    """A CSRF token for the browser session (send it as X-CSRFToken on state-changing requests)."""
    return {"csrf_token": generate_csrf(), "user": g.user}


@blp.route("/login", methods=["POST"])
@guard.limiter.limit(guard.login_limit)
@guard.limiter.limit(guard.login_limit, key_func=guard.username_key)
@blp.arguments(LoginSchema)
@blp.response(200, SessionSchema)
def login(creds):
    """Sign in with a password and start a browser session."""
    user = store.authenticate(registry(), creds["username"], creds["password"])
    if user is None:
        audit_trail.record("login.failed", f"user:{str(creds['username'])[:64].lower()}", {"via": "api"},
                           who=str(creds["username"])[:64])
        raise ApiError("login_failed")
    guard.start_session(user)
    audit_trail.record("login.ok", f"user:{user['username']}", {"via": "api"}, who=user["username"])
    return {"user": user, "csrf_token": generate_csrf()}


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End the browser session (on the server too: a copy of the cookie no longer works)."""
    guard.end_session()


@blp.route("/me", methods=["GET"])
@blp.response(200, SessionSchema)
def me():
    """The signed-in user."""
    return {"user": guard.current_user(), "csrf_token": generate_csrf() if g.auth == "session" else None}


@blp.route("/tokens", methods=["POST"])
@guard.limiter.limit(guard.login_limit)
@guard.limiter.limit(guard.login_limit, key_func=guard.username_key)
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def issue_token(req):
    """Exchange a password for a bearer token (shown once; only its hash is stored)."""
    user = store.authenticate(registry(), req["username"], req["password"])
    if user is None:
        audit_trail.record("login.failed", f"user:{str(req['username'])[:64].lower()}", {"via": "token"},
                           who=str(req["username"])[:64])
        raise ApiError("login_failed")
    issued = store.issue_token(registry(), user, req["label"], current_app.config["TOKEN_DAYS"])
    audit_trail.record("token.issue", f"user:{user['username']}", {"token": issued["id"], "label": req["label"]},
                       who=user["username"])
    return issued


@blp.route("/tokens/current", methods=["DELETE"])
@blp.response(204)
def revoke_current_token():
    """Revoke the bearer token this request carries."""
    guard.current_user()
    if g.auth != "token":
        raise ApiError("bad_request", message=None)
    token = request.headers["Authorization"].split(" ", 1)[1].strip()
    store.revoke_token(registry(), token)
    guard.auth_cache().clear()
    audit_trail.record("token.revoke", f"user:{g.user['username']}", {"token": store.token_public_id(token)})
