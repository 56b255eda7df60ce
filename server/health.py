"""/healthz: is the application up, and can it reach CouchDB."""
from __future__ import annotations

from flask import Flask, jsonify

from server.db import couch, database
from sync.couch import CouchError


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        try:
            info = couch().info()
            body = {"status": "ok", "couchdb": {"reachable": True, "version": info.get("version")},
                    "worker": worker_status()}
            return jsonify(body), 200
        except CouchError as exc:
            body = {"status": "degraded", "couchdb": {"reachable": False, "error": exc.error}}
            return jsonify(body), 503


def worker_status() -> dict:
    """What the worker last reported: when, its backlog (changes not yet filed) and its last error."""
    status = database("records").get_or_none("_local/worker-status")
    if not status:
        return {"seen": False}
    return {"seen": True, "at": status.get("at"), "backlog": status.get("backlog"),
            "processed": status.get("processed"), "last_error": status.get("last_error"),
            "phones_over_budget": len(status.get("phones_over_budget") or [])}
