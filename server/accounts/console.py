"""The console page 我的账号 (/console/account): my sessions and tokens (see, sign out), my password, and for
admins ending every session of another user. Every signed-in role may use it (inspectors too)."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from i18n import Problem, t
from server import audit_trail
from server.accounts import guard, roles, sessions, store
from server.accounts.sessions_api import my_sessions, my_tokens, revoke_own, set_own_password
from server.db import registry
from server.errors import ApiError

bp = Blueprint("account_console", __name__)
ACTIONS = ("revoke_session", "revoke_token", "password", "revoke_user")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _page(error: str | None = None, status: int = 200, done: str | None = None):
    user = g.user
    return render_template("account.html", sessions=my_sessions(user), tokens=my_tokens(user), error=error,
                           done=done, must_change=user.get("must_change_password", False),
                           is_admin=user["role"] == roles.ADMIN), status


@bp.get("/console/account")
def account_page():
    if g.get("user") is None:
        return redirect(url_for("console.login", next=request.path))
    return _page(done=request.args.get("done") if request.args.get("done") in ACTIONS else None)


def _run(action: str, form) -> None:
    user = g.user
    if action == "revoke_session":
        revoke_own(user, form.get("id", ""), "session")
    elif action == "revoke_token":
        revoke_own(user, form.get("id", ""), "token")
    elif action == "password":
        if form.get("new_password", "") != form.get("confirm_password", ""):
            raise ApiError("validation", message=t("account.password_mismatch"))
        set_own_password(user, form.get("current_password", "")[:256], form.get("new_password", "")[:256])
    elif action == "revoke_user":
        if user["role"] != roles.ADMIN:
            abort(403)
        target = store.get_user(registry(), form.get("username", "")[:64].strip().lower())
        if not target:
            raise ApiError("validation", message=t("account.no_such_user"))
        target["session_version"] = target.get("session_version", 1) + 1
        target["updated_at"] = store.now_iso()
        registry().put_once(target)
        ended = sessions.revoke_all(registry(), target["username"])
        guard.auth_cache().clear()
        audit_trail.record("user.sessions_revoked", target["_id"], {"sessions": ended})


@bp.post("/console/account/<action>")
def account_action(action):
    if g.get("user") is None:
        return redirect(url_for("console.login", next="/console/account"))
    if action not in ACTIONS:
        abort(404)
    try:
        _run(action, request.form)
    except ApiError as exc:
        if exc.code == "not_found":
            abort(404)
        detail = "; ".join(m for msgs in (exc.errors or {}).values() for m in msgs) if exc.errors else ""
        return _page(detail or exc.message, exc.status)
    except Problem as exc:
        return _page(exc.message(), 422)
    except ValidationError:
        return _page(t("error.validation"), 422)
    if g.get("user") is None or (action == "revoke_session" and not guard.signed_in_still()):
        return redirect(url_for("console.login"))
    return redirect(url_for("account_console.account_page", done=action))
