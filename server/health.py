"""/healthz: is the application up, can it reach CouchDB, and is the worker filing what phones send.

The worker part tells the truth (issue 16): its heartbeat's age, the changes waiting counted live, how
long the oldest has waited, its last error; "failing" when the heartbeat is older than WORKER_STALE_S (dead
or stuck), the oldest change waited longer than WORKER_LAG_S, or changes wait for a worker never seen.
/healthz then answers 503, so that a monitor polling it sees the outage while it lasts.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, current_app, g, jsonify

from i18n import Problem
from server.calendar.workdays import known_until, load_extra
from server.db import couch, database
from sync import backlog
from sync.couch import CouchError

STATUS_ID, HEARTBEAT_ID = "_local/worker-status", "_local/worker-heartbeat"  # written by sync/worker/feed.py


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        """Public: the status alone. Admins (session or token) also get CouchDB, the worker and the calendar:
        versions, backlogs and error texts help an attacker more than a load balancer."""
        user = g.get("user")
        detailed = bool(user) and user.get("role") == "admin"
        try:
            info = couch().info()
            worker = worker_status(detail=detailed)
            failing = worker["state"] == "failing"
            status = "failing" if failing else "ok"
            body = {"status": status, "couchdb": {"reachable": True, "version": info.get("version")},
                    "worker": worker, "calendar": calendar_status()}
            return jsonify(body if detailed else {"status": status}), 503 if failing else 200
        except CouchError as exc:
            body = {"status": "degraded", "couchdb": {"reachable": False, "error": exc.error}}
            return jsonify(body if detailed else {"status": "degraded"}), 503


def _is_admin() -> bool:
    return (g.get("user") or {}).get("role") == "admin"


def _age_s(stamp: str | None, now: datetime) -> float | None:
    try:
        return round((now - datetime.fromisoformat(stamp)).total_seconds(), 1) if stamp else None
    except (TypeError, ValueError):
        return None


def worker_status(detail: bool = False) -> dict:
    """The worker as it is now: its report, its heartbeat's age, the live backlog and lag, and a state
    (ok, idle: never run and nothing waits, failing) with the reasons. `detail` (an administrator, the
    status page) adds the waiting changes per database and the worker's process id."""
    cfg, now = current_app.config, datetime.now(timezone.utc)
    records = database("records")
    status = {**(records.get_or_none(STATUS_ID) or {}), **(records.get_or_none(HEARTBEAT_ID) or {})}
    live = backlog.cached_count(couch(), cfg.get("DB_PREFIX", ""), records,
                                float(cfg.get("HEALTH_BACKLOG_CACHE_S", 15)))
    heartbeat = status.get("heartbeat") or status.get("at")
    age = _age_s(heartbeat, now)
    lag = 0.0
    if live["total"]:
        lag = max(live["waited_s"], _age_s(status.get("oldest_waiting_since"), now) or 0.0)
    reasons = []
    if not status and live["total"]:
        reasons.append({"code": "never_seen"})
    if status and (age is None or age > cfg.get("WORKER_STALE_S", 60)):
        reasons.append({"code": "stale", "age": age, "limit": cfg.get("WORKER_STALE_S", 60)})
    if lag > cfg.get("WORKER_LAG_S", 300):
        reasons.append({"code": "lagging", "lag": lag, "limit": cfg.get("WORKER_LAG_S", 300)})
    state = "failing" if reasons else ("ok" if status else "idle")
    out = {"seen": bool(status), "state": state, "reasons": reasons, "heartbeat": heartbeat,
           "heartbeat_age_s": age, "backlog": live["total"], "lag_s": lag, "at": status.get("at"),
           "processed": status.get("processed"), "last_error": status.get("last_error"),
           "last_error_at": status.get("last_error_at"), "quarantined": status.get("quarantined", 0),
           "phones_over_budget": len(status.get("phones_over_budget") or []),
           "backlog_age_s": live.get("age_s") or 0.0, "backlog_counting": live.get("counting", False)}
    if detail:
        prefix = cfg.get("DB_PREFIX", "")
        out.update(pid=status.get("pid"), counted_dbs=live["counted"], partial=live["partial"],
                   by_db=dict(sorted(((name[len(prefix):], gap) for name, gap in live["by_db"].items()),
                                     key=lambda item: -item[1])[:50]))
    return out


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
