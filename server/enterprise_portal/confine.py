"""Where an enterprise account may go: its own portal (/enterprise/…) and the few pages every account needs
(sign in and out, language, static files). Everything else — the console, the staff API, the sync
gateway, checklists and tasks open to "any signed-in user" — answers 403 to it, whatever guard that route
has, so a route added later cannot let an enterprise in by accident.

An account whose enterprise was deregistered (or removed from the register) is signed out at once."""
from __future__ import annotations

from flask import Flask, abort, current_app, g, request, session

from server.accounts import guard, roles
from server.db import registry
from server.errors import ApiError
from server.registry.store import enterprise_id

PORTAL = "enterprise_portal."
ALLOWED = {"static", "healthz", "console.set_language", "console.login", "console.logout", "console.home",
           "auth.logout", "auth.me", "auth.csrf_token"}


def init_app(app: Flask) -> None:
    # Right after sign-in is known (and the password gate): before any other hook looks at the request.
    hooks = app.before_request_funcs.setdefault(None, [])
    after = hooks.index(guard.password_gate) + 1 if guard.password_gate in hooks else len(hooks)
    hooks.insert(after, confine)


def enterprise_of(user: dict) -> dict | None:
    """The registered, active enterprise an enterprise account speaks for, else None."""
    uscc = user.get("enterprise")
    if not isinstance(uscc, str) or len(uscc) != 18:
        return None
    doc = guard.auth_cache().get(("enterprise", uscc), lambda: registry().get_or_none(enterprise_id(uscc)))
    if not doc or doc.get("type") != "enterprise" or doc.get("active") is False:
        return None
    return doc


def confine():
    user = g.get("user")
    if not user or user.get("role") != roles.ENTERPRISE:
        return None
    company = enterprise_of(user)
    if company is None:        # deregistered: the account ends with it
        g.user, g.auth = None, None
        session.clear()
        return None
    g.enterprise = company
    if (request.endpoint or "").startswith(PORTAL) or request.endpoint in ALLOWED:
        return None
    current_app.logger.info("enterprise account %s refused %s %s", user["username"], request.method, request.path)
    if request.path.startswith(("/api/", "/sync/")):
        raise ApiError("forbidden")
    abort(403)
