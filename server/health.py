"""/healthz: is the application up, and can it reach CouchDB."""
from __future__ import annotations

from flask import Flask, jsonify

from server.db import couch
from sync.couch import CouchError


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        try:
            info = couch().info()
            body = {"status": "ok", "couchdb": {"reachable": True, "version": info.get("version")}}
            return jsonify(body), 200
        except CouchError as exc:
            body = {"status": "degraded", "couchdb": {"reachable": False, "error": exc.error}}
            return jsonify(body), 503
