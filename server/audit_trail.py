"""Audit helpers for views: who did it (the signed-in user), and before/after of the fields that changed."""
from __future__ import annotations

from flask import g, has_request_context, request

from server import audit
from server.db import database

# Bookkeeping that changes on every write and says nothing about what a person did.
NOISE = {"_rev", "_id", "type", "updated_at", "updated_by", "created_at", "password_hash", "_attachments"}


def actor() -> str:
    user = g.get("user") if has_request_context() else None
    return user["username"] if user else "anonymous"


def record(action: str, subject: str, details: dict | None = None, who: str | None = None) -> dict:
    """Append one entry for the current request's user (or `who`, e.g. the name tried at a failed login)."""
    extra = dict(details or {})
    if has_request_context():
        extra.setdefault("ip", request.remote_addr)
    return audit.append(database("audit"), who or actor(), action, subject, extra)


def changes(before: dict | None, after: dict, fields=None) -> dict:
    """{"before": {...}, "after": {...}} for the fields whose value differs (all fields unless `fields`)."""
    before = before or {}
    names = fields or sorted((set(before) | set(after)) - NOISE)
    diff_before, diff_after = {}, {}
    for name in names:
        if before.get(name) != after.get(name):
            diff_before[name], diff_after[name] = before.get(name), after.get(name)
    return {"before": diff_before, "after": diff_after}
