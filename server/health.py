"""/healthz: is the application up, and can it reach CouchDB."""
from __future__ import annotations

from flask import Flask, current_app, g, jsonify

from i18n import Problem
from server.calendar.workdays import extra_file, known_until
from server.db import couch, database
from sync.couch import CouchError


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        """Public: the status alone. Admins (session or token) also get CouchDB, the worker and the calendar:
        versions, backlogs and error texts help an attacker more than a load balancer."""
        user = g.get("user")
        detailed = bool(user) and user.get("role") == "admin"
        try:
            info = couch().info()
            body = {"status": "ok", "couchdb": {"reachable": True, "version": info.get("version")},
                    "worker": worker_status(), "calendar": calendar_status()}
            return jsonify(body if detailed else {"status": "ok"}), 200
        except CouchError as exc:
            body = {"status": "degraded", "couchdb": {"reachable": False, "error": exc.error}}
            return jsonify(body if detailed else {"status": "degraded"}), 503


def worker_status() -> dict:
    """What the worker last reported: when, its backlog (changes not yet filed) and its last error."""
    status = database("records").get_or_none("_local/worker-status")
    if not status:
        return {"seen": False}
    return {"seen": True, "at": status.get("at"), "backlog": status.get("backlog"),
            "processed": status.get("processed"), "last_error": status.get("last_error"),
            "phones_over_budget": len(status.get("phones_over_budget") or [])}


def calendar_status(detail: bool = False) -> dict:
    """How far working-day deadlines can be counted, and whether an operator must add next year soon.
    `detail` (the console, signed in) adds the file to edit and what is wrong with it; /healthz is public."""
    from server.hazards.service import today   # the console's "today" (China time); imported late: no cycle
    try:
        last = known_until()
    except Problem as exc:                      # the operator's calendar file is unreadable or wrong
        return {"known_until": None, "warning": True, **({"error": exc.message()} if detail else {})}
    left = (last - today()).days
    status = {"known_until": last.isoformat(), "days_left": left,
              "warning": left < current_app.config.get("CALENDAR_WARN_DAYS", 90)}
    return {**status, "next_year": last.year + 1, "path": str(extra_file())} if detail else status
