"""Login, logout, the current session, and bearer tokens for API clients."""
from __future__ import annotations

from flask import current_app, g, request, session
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from schemas.accounts import LoginSchema, SessionSchema, TokenRequestSchema, TokenSchema
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
        raise ApiError("login_failed")
    guard.start_session(user)
    return {"user": user, "csrf_token": generate_csrf()}


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End the browser session."""
    session.clear()


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
        raise ApiError("login_failed")
    return store.issue_token(registry(), user, req["label"], current_app.config["TOKEN_DAYS"])


@blp.route("/tokens/current", methods=["DELETE"])
@blp.response(204)
def revoke_current_token():
    """Revoke the bearer token this request carries."""
    guard.current_user()
    if g.auth != "token":
        raise ApiError("bad_request", message=None)
    store.revoke_token(registry(), request.headers["Authorization"].split(" ", 1)[1].strip())
    guard.auth_cache().clear()
