"""User accounts as one service for both edges: the JSON API (users_api.py) and the console
(users_console.py). Whatever changes a user goes through here, so that both write the same document and
leave the same audit entry (user.create / user.update with before and after of USER_FIELDS)."""
from __future__ import annotations

from flask import current_app

from server import audit_trail
from server.accounts import roles, store
from server.accounts.guard import auth_cache
from server.db import registry
from server.registry.store import page, scope_selector

# What a user change is audited with (the password itself never: only that a new one was set).
USER_FIELDS = ("role", "region", "active", "display_name", "inspector_id", "password_set",
               "may_reveal_reporters")   # who may reveal a reporter (issue 15) is itself audited


def visible_user(viewer: dict, username: str) -> dict | None:
    """The user if it lies in the viewer's region or below, else None (the edges answer 404 alike for
    "no such user" and "not yours", so that names outside one's region cannot be probed)."""
    doc = store.get_user(registry(), username)
    if not doc or not roles.in_scope(viewer, doc.get("region")):
        return None
    return doc


def users_page(viewer: dict, page_no: int, per_page: int) -> dict:
    """One page of the users in the viewer's region and below ({items, page, per_page, has_more})."""
    sel = {"type": "user", "region": scope_selector(roles.scope_prefix(viewer), None)}
    return page(registry(), sel, page_no, per_page)


def create_user(data: dict) -> dict:
    """Store a user loaded by UserCreateSchema and audit it; sync.couch.Conflict if the name is taken,
    i18n.Problem if the password is too weak (both left to the edge to put in its own words)."""
    # A password an admin chose is known to the admin: the user replaces it at the first sign-in.
    data = {**data, "must_change_password": current_app.config["PASSWORD_CHANGE_REQUIRED"]}
    doc = store.create_user(registry(), data)
    audit_trail.record("user.create", doc["_id"], audit_trail.changes({}, doc, USER_FIELDS))
    return doc


def update_user(doc: dict, changes: dict) -> dict:
    """Apply changes loaded by UserUpdateSchema and audit them; a new password, role, region or
    deactivation ends the user's sessions and tokens (server/accounts/store.py)."""
    before = {**doc, "password_set": False}
    if "password" in changes:
        changes = {**changes, "must_change_password": current_app.config["PASSWORD_CHANGE_REQUIRED"]}
    updated = store.update_user(registry(), doc, changes)
    auth_cache().clear()   # a cached sign-in must not outlive the change
    after = {**updated, "password_set": "password" in changes}
    audit_trail.record("user.update", updated["_id"], audit_trail.changes(before, after, USER_FIELDS))
    return updated
