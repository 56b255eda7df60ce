"""/metrics: Prometheus text for an admin or the bureau's scraper (METRICS_TOKEN), and the request timings.

Per request: latency by route group, answers by status class, requests in flight (a live sync long poll is
one while it waits). At scrape time, read from CouchDB: the worker's backlog and its heartbeat, phones not
seen for PHONES_UNSEEN_DAYS, the audit log's entries. Under gunicorn with several processes set
PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py does, under var/) so that one scrape covers them all.
"""
from __future__ import annotations

import hmac
import os
import time
from datetime import datetime, timedelta, timezone

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from sync.couch import CouchError

# prometheus_client chooses its mode when it is first imported: read the samples the same way.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
GROUPS = ("sync", "api", "console", "app", "public", "static", "documents")
REQUEST_SECONDS = Histogram("inspection_request_seconds", "Request latency by route group", ["group"],
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
RESPONSES = Counter("inspection_responses_total", "Answers by route group and status class",
                    ["group", "status"])
IN_FLIGHT = Gauge("inspection_requests_in_flight", "Requests being answered (sync: live long polls included)",
                  ["group"], multiprocess_mode="livesum")
COUCH_ERRORS = Counter("inspection_couchdb_errors_total", "Requests that failed on a CouchDB error", ["error"])


def route_group(path: str) -> str:
    """The first path segment when it is a known group ('documents' under /console), else 'other'."""
    parts = path.strip("/").split("/")
    if parts[0] == "console" and len(parts) > 1 and parts[1] == "documents":
        return "documents"
    return parts[0] if parts[0] in GROUPS else "other"


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", metrics_view)


def _start() -> None:
    group = route_group(request.path)
    g.metrics = (group, time.perf_counter())
    IN_FLIGHT.labels(group).inc()


def _finish(resp: Response) -> Response:
    started = g.pop("metrics", None)
    if started is None:
        return resp
    group, t0 = started
    RESPONSES.labels(group, f"{resp.status_code // 100}xx").inc()
    if resp.is_streamed:
        # A streamed answer (the sync gateway's relay, a long poll) is in flight until its last byte.
        resp.call_on_close(lambda: _done(group, t0))
    else:
        _done(group, t0)
    return resp


def _done(group: str, t0: float) -> None:
    REQUEST_SECONDS.labels(group).observe(time.perf_counter() - t0)
    IN_FLIGHT.labels(group).dec()


def count_couch_error(exc: CouchError) -> None:
    COUCH_ERRORS.labels(exc.error if exc.error in ("unavailable", "timeout", "conflict", "not_found",
                                                    "unauthorized", "forbidden") else "other").inc()


def _check_access() -> None:
    """The scraper's token, or a signed-in admin: 401 for anyone else unsigned, 403 for other roles."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return
    from server.accounts.guard import current_user
    from server.errors import ApiError
    if current_user()["role"] != "admin":
        raise ApiError("forbidden")


def metrics_view():
    _check_access()
    registry = CollectorRegistry()
    if MULTIPROCESS:
        from prometheus_client import multiprocess
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_StateRegistry())
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"})


class _StateRegistry(CollectorRegistry):
    """What is read from CouchDB at scrape time (bounded reads, never per request)."""

    def __init__(self):
        super().__init__(auto_describe=False)
        self.register(_StateCollector())


class _StateCollector:
    def collect(self):
        yield from _worker_metrics()
        yield from _phone_metrics()
        yield from _audit_metrics()


def _gauge(name: str, doc: str, value: float | None):
    family = GaugeMetricFamily(name, doc)
    if value is not None:
        family.add_metric([], value)
    return family


def _worker_metrics():
    from server.health import worker_status
    try:
        status = worker_status()
    except CouchError:
        status = {}
    yield _gauge("inspection_worker_backlog", "Changes the worker has not filed yet", status.get("backlog"))
    yield _gauge("inspection_worker_lag_seconds", "Age of the oldest change not yet filed", status.get("lag_s"))
    yield _gauge("inspection_worker_heartbeat_age_seconds", "Seconds since the worker's last heartbeat",
                 status.get("heartbeat_age_s"))
    yield _gauge("inspection_worker_failing", "1 when /healthz says the worker is failing (dead, stuck, lagging)",
                 1 if status.get("state") == "failing" else 0)


def _phone_metrics():
    from server.gateway.seen import phones
    days = current_app.config.get("PHONES_UNSEEN_DAYS", 3)
    cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()
    try:
        known = phones()
    except CouchError:
        return
    yield _gauge("inspection_phones_known", "Phones that have synced at least once", len(known))
    yield _gauge("inspection_phones_unseen", f"Phones not seen for {days} days",
                 sum(1 for p in known if (p.get("last_seen") or "") < cutoff))


def _audit_metrics():
    from server.db import database
    db = database("audit")
    try:
        # Entries are the database's documents but its design documents (one small range read).
        count = db.info()["doc_count"] - len(db.all_docs(startkey="_design/", endkey="_design0"))
    except CouchError:
        return
    yield _gauge("inspection_audit_entries", "Entries in the audit log (every writer's chain)", count)
