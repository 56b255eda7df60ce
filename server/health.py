"""/healthz: is the application up, and can it reach CouchDB."""
from __future__ import annotations

from flask import Flask, current_app, jsonify

from i18n import Problem
from server.calendar.workdays import known_until, load_extra
from server.db import couch, database
from sync.couch import CouchError


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        try:
            info = couch().info()
            body = {"status": "ok", "couchdb": {"reachable": True, "version": info.get("version")},
                    "worker": worker_status(), "calendar": calendar_status()}
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


def calendar_status(detail: bool = False) -> dict:
    """How far working-day deadlines are counted officially (past it they are provisional, 暂定), and
    whether an admin must enter next year's notice soon. `detail` (the console, signed in) adds what is
    wrong with the operator's calendar file, if anything; /healthz is public and names no file."""
    from server import clock                    # imported late: no cycle through the console
    last = known_until()
    left = (last - clock.today()).days
    status = {"known_until": last.isoformat(), "days_left": left,
              "warning": left < current_app.config.get("CALENDAR_WARN_DAYS", 90)}
    if not detail:
        return status
    try:
        load_extra()
        error = None
    except Problem as exc:                      # the operator's calendar file is unreadable or wrong
        error = exc.message()
    return {**status, "next_year": last.year + 1, "error": error, "near": status["warning"],
            "warning": status["warning"] or bool(error)}
