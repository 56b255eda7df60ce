"""Idempotency keys for creating requests (issue 17): a client that retries a plan, an order, an import or a
result with the same `Idempotency-Key` header (or form field `idempotency_key`) gets the first answer again,
and nothing is created twice.

The key is claimed by creating `idem:<sha256(user, route, key)>` in the registry before the view runs:
exactly one of two racing creations wins, on every server and cluster (`Database.create`), so two requests racing
with one key never both run. The winner stores its answer on the record; the loser replays it (or, while
the first is still running, answers 409 with Retry-After). A 5xx answer releases the key for a retry. The
same key with a different body is refused (422). Records expire after IDEMPOTENCY_HOURS."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

from flask import Flask, Response, current_app, g, request

from i18n import t
from server.db import registry
from server.errors import error_response
from sync.couch import Conflict, CouchError

HEADER, FORM_FIELD = "Idempotency-Key", "idempotency_key"
ENDPOINTS = {"plans.create", "orders.issue_order", "hazards.order_one", "imports.upload", "console.import_page",
             "tasks.record_result", "review_console.issue_order"}
_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,100}")
MAX_STORED = 1024 * 1024
PENDING_STALE_S = 300   # a claim this old whose request never finished (process killed) may be taken over


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _given_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None and request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        key = request.form.get(FORM_FIELD)
    return key


def _fingerprint() -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" +
                          request.get_data(cache=True)).hexdigest()


def _replay(doc: dict) -> Response:
    resp = Response(doc.get("body", ""), status=doc["status"], mimetype=doc.get("mimetype") or "application/json")
    if doc.get("location"):
        resp.headers["Location"] = doc["location"]
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def _claim(doc_id: str, fingerprint: str):
    """Our claim on the key (None), or the response to give instead."""
    user = g.user["username"]
    now = _now()
    claim = {"_id": doc_id, "type": "idempotency", "state": "pending", "user": user, "endpoint": request.endpoint,
             "fingerprint": fingerprint, "created_at": now.isoformat(timespec="seconds"),
             "expires_at": (now + timedelta(hours=current_app.config["IDEMPOTENCY_HOURS"])).isoformat(timespec="seconds")}
    for _attempt in range(3):
        try:
            registry().put_once(claim)   # a creation, or the takeover of one revision: one racer wins
            g.idempotency = claim
            return None
        except Conflict:
            existing = registry().get_or_none(doc_id)
        if existing is None:
            continue
        age = (now - datetime.fromisoformat(existing["created_at"])).total_seconds()
        if datetime.fromisoformat(existing["expires_at"]) <= now or (
                existing["state"] == "pending" and age > PENDING_STALE_S):
            claim["_rev"] = existing["_rev"]      # expired, or its request died: take it over
            continue
        if existing["fingerprint"] != fingerprint:
            return error_response("validation", 422, t("security.idempotency_mismatch"))
        if existing["state"] == "done":
            return _replay(existing)
        resp = error_response("conflict", 409, t("security.idempotency_busy"))
        resp.headers["Retry-After"] = "2"
        return resp
    return error_response("conflict", 409, t("security.idempotency_busy"))


def _release() -> None:
    claim = g.pop("idempotency", None)
    if claim and claim.get("_rev"):
        try:
            registry().delete(claim["_id"], claim["_rev"])
        except CouchError:
            pass   # it expires; a retry after PENDING_STALE_S takes it over


def init_app(app: Flask) -> None:
    @app.before_request
    def _idempotent():
        if request.method != "POST" or request.endpoint not in ENDPOINTS or g.get("user") is None:
            return None
        key = _given_key()
        if key is None:
            return None
        if not _KEY.fullmatch(key):
            return error_response("bad_request", 400, t("security.idempotency_key"))
        scope = f"{g.user['username']}\n{request.endpoint}\n{key}"
        return _claim("idem:" + hashlib.sha256(scope.encode()).hexdigest(), _fingerprint())

    @app.after_request
    def _remember(resp):
        claim = g.get("idempotency")
        if claim is None:
            return resp
        if resp.status_code >= 500 or resp.is_streamed or resp.content_length and resp.content_length > MAX_STORED:
            _release()
            return resp
        done = {**claim, "state": "done", "status": resp.status_code, "mimetype": resp.mimetype,
                "body": resp.get_data(as_text=True), "location": resp.headers.get("Location")}
        try:
            registry().put(done)
            g.pop("idempotency", None)
        except CouchError:
            _release()
        return resp

    @app.teardown_request
    def _unfinished(_exc):
        if g.get("idempotency") is not None:   # the view raised and no answer was stored: free the key
            _release()
