"""Builders for worker tests: a dispatched task in the registry and documents as a phone would write them."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timezone

from schemas.identifiers import make_uscc
from tests.integration.lag import read_until
from server.db import couch, database, registry
from server.qr import signing
from sync.phones import ensure_db
from sync.worker.__main__ import build

_rng = random.Random(42)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def dispatched_task(app, team: list[str], window=("2026-01-01", "2026-12-31")) -> dict:
    """A task as dispatch leaves it, with its site (and the site's coordinates for the geofence)."""
    uscc = make_uscc("370102", _rng)
    site = {"_id": f"site:{uscc}:01", "type": "site", "enterprise": uscc, "name": "主厂区", "address": "经十路1号",
            "lng": 117.05, "lat": 36.66, "radius_m": 200, "region": "370102", "crs": "WGS84"}
    task = {"_id": f"task:{uuid.uuid4().hex[:16]}:00001", "type": "task", "plan": "plan:0000000000000000",
            "enterprise": uscc, "enterprise_name": "测试企业", "site": site["_id"], "region": "370102",
            "tier": "其他", "random": True, "inspectors": team, "experts": [], "status": "dispatched",
            "window": {"start": window[0], "end": window[1]}, "checklist": "checklist:fire_major_gb35181:v1",
            "year": 2026}
    with app.app_context():
        registry().put(site)
        registry().put(task)
    return task


def qr_for(app, site_id: str) -> str:
    keys = signing.parse_keys(app.config["QR_KEYS"])
    return signing.qr_url(app.config["PUBLIC_BASE_URL"], site_id, keys, app.config["QR_ACTIVE_KEY"])


def inspection(app, task: dict, **extra) -> dict:
    doc = {"_id": f"inspection:{uuid.uuid4()}", "type": "inspection", "task": task["_id"], "status": "finished",
           "checklist": task["checklist"], "started_at": now(), "finished_at": now(),
           "checkin": {"qr": qr_for(app, task["site"]), "scanned_at": now(),
                       "position": {"lat": 36.6601, "lng": 117.0502, "accuracy_m": 12, "at": now()}},
           "answers": [{"item": "fire-6-5", "value": "no", "note": "安全出口被堵"}]}
    doc.update(extra)
    return doc


def phone_db(app, inspector_id: str):
    with app.app_context():
        return ensure_db(couch(), app.config["DB_PREFIX"], inspector_id)


def run_worker(app) -> int:
    with app.app_context():
        return build(app).run_once()


def file_until(app, read, done):
    """Run the worker until `done(read())`, bounded. On a cluster the worker may read a phone database's
    feed from a copy that has not got the last push yet; that copy lists it after the checkpoint once it
    has, and the next run files it (late, never lost: decision 0018)."""
    def once():
        run_worker(app)
        return read()
    return read_until(once, done)


def records(app):
    with app.app_context():
        return database("records")
