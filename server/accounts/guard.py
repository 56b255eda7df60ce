"""Who is asking: session cookie or bearer token, CSRF for cookie sessions, role checks, login throttling."""
from __future__ import annotations

import hashlib
import time
from functools import wraps

from flask import Flask, current_app, g, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

from server.accounts import roles, sessions, store
from server.accounts.cache import AuthCache
from server.db import REGISTRY, registry
from i18n import t
from server.errors import ApiError, error_response

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
# Endpoints a client without a cookie calls to get a bearer token: nothing here rides on a cookie.
CSRF_EXEMPT_ENDPOINTS = {"auth.issue_token"}


def init_app(app: Flask) -> None:
    def registry_db():
        return app.extensions["couch"].db(app.config.get("DB_PREFIX", "") + REGISTRY)
    app.extensions["auth_cache"] = AuthCache(app.config["AUTH_CACHE_S"], followed_ttl=app.config["AUTH_CACHE_FOLLOWED_S"],
                                             feed=registry_db if app.config["AUTH_CACHE_FOLLOW"] else None)
    csrf.init_app(app)
    limiter.init_app(app)
    app.before_request(_load_user)
    app.before_request(password_gate)

    @app.errorhandler(CSRFError)
    def _csrf_failed(exc):
        return error_response("csrf", 403, t("error.csrf"))


def _load_user() -> None:
    g.user, g.auth = None, None
    header = request.headers.get("Authorization", "")
    # /metrics checks its scraper's own token (METRICS_TOKEN, server/metrics.py); not an account's.
    if header and request.endpoint != "metrics":
        scheme, _, token = header.partition(" ")
        token = token.strip()
        user = (auth_cache().get(("token", hashlib.sha256(token.encode()).hexdigest()),
                                 lambda: store.user_for_token(registry(), token))
                if scheme.lower() == "bearer" else None)
        if user is None:
            raise ApiError("unauthenticated")
        g.user, g.auth = user, "token"
        return
    if "u" in session:
        name, sid = str(session["u"]), session.get("sid")
        user = auth_cache().get(("user", name), lambda: store.get_user(registry(), name))
        lifetime = current_app.permanent_session_lifetime.total_seconds()
        live = isinstance(sid, str) and auth_cache().get(("sid", hashlib.sha256(sid.encode()).hexdigest()),
                                                         lambda: sessions.lookup(registry(), sid))
        if (user and live and live.get("username") == name and user.get("active", True)
                and session.get("sv") == user.get("session_version", 1)
                and time.time() - session.get("iat", 0) < lifetime):
            g.user, g.auth = user, "session"
        else:
            session.clear()
    if request.method not in SAFE_METHODS and request.endpoint not in CSRF_EXEMPT_ENDPOINTS:
        csrf.protect()


# What a user whose password was set by someone else may still do before changing it.
PASSWORD_PENDING_OK = {"auth.me", "auth.csrf_token", "auth.logout", "console.logout", "console.login",
                       "console.set_language", "static", "healthz", "sessions.change_password",
                       "sessions.list_sessions", "sessions.revoke_session", "account_console.account_page",
                       "account_console.account_action", "enterprise_portal.account_page",
                       "enterprise_portal.change_password"}


def password_gate():
    """A generated or admin-set password is changed at the first sign-in (PASSWORD_CHANGE_REQUIRED)."""
    user = g.get("user")
    if not user or not user.get("must_change_password") or request.endpoint in PASSWORD_PENDING_OK:
        return None
    if request.path.startswith(("/api/", "/sync/")):
        raise ApiError("password_change_required")
    from flask import redirect
    # an enterprise account changes its password in its own portal (it never reaches /console/)
    return redirect("/enterprise/account" if user.get("role") == roles.ENTERPRISE else "/console/account")


def signed_in_still() -> bool:
    """After revoking a session: is this browser's own session still live?"""
    return sessions.lookup(registry(), session.get("sid")) is not None


def auth_cache() -> AuthCache:
    return current_app.extensions["auth_cache"]


def start_session(user: dict) -> None:
    """A new server-side session (server/accounts/sessions.py) and the signed cookie that names it."""
    session.clear()
    session.permanent = True
    sid = sessions.create(registry(), user, current_app.config["SESSION_HOURS"], request.remote_addr,
                          request.headers.get("User-Agent"))
    session.update(u=user["username"], sv=user.get("session_version", 1), iat=int(time.time()), sid=sid)


def end_session() -> None:
    """Logout: the session document goes, so a saved copy of the cookie stops working too."""
    sid = session.get("sid")
    if g.get("user") is not None and isinstance(sid, str):
        sessions.revoke(registry(), sid)
        auth_cache().clear()
        from server import audit_trail
        audit_trail.record("session.end", f"user:{g.user['username']}", {"session": sessions.current_id(sid)})
    session.clear()


def current_user() -> dict:
    if g.get("user") is None:
        raise ApiError("unauthenticated")
    return g.user


def require(*allowed: str):
    """Only signed-in users with one of these roles; 401 if not signed in, 403 if the role is wrong."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user["role"] not in allowed:
                raise ApiError("forbidden")
            return view(*args, **kwargs)
        return wrapper
    return decorate


def require_scope(region_code: str | None) -> None:
    """403 unless the current user's region covers `region_code`."""
    if not roles.in_scope(current_user(), region_code):
        raise ApiError("forbidden", message=None)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def username_key() -> str:
    data = request.get_json(silent=True) or request.form
    name = data.get("username") if hasattr(data, "get") else None
    return f"user:{str(name)[:64].lower()}" if name else get_remote_address()
