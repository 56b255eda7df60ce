"""Statistics test data: generated filed records loaded into a real `records`, and the figures counted directly.

The direct counts below follow the definitions (docs/decisions/0008-statistics.md) document by document,
without the views or the server's folding code, so that each can catch the other out.
"""
from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest

from bench.console_data import batches, make_world
from server.stats.report import today
from tests.integration.conftest import PASSWORD, Session

SHANGHAI = timezone(timedelta(hours=8))
DONE = {"pending", "approved", "returned"}


def load(app, inspections: int = 120, seed: int = 7) -> dict:
    """Write generated inspectors into `registry` and records into `records`; returns the documents."""
    from server.db import database, registry
    world = make_world(inspections, seed=seed, today=today())
    docs = [doc for batch in batches(inspections, seed=seed, world=world) for doc in batch]
    with app.app_context():
        registry().bulk_docs([dict(p) for p in world.inspectors])
        for start in range(0, len(docs), 500):
            database("records").bulk_docs([dict(d) for d in docs[start:start + 500]])
    return {"docs": docs, "inspectors": world.inspectors}


@pytest.fixture(scope="module")
def stats_app(couch_url):
    """One app with a few hundred generated records (120 inspections, 360 hazards and cases) for the module."""
    from server import create_app
    from server.accounts import store
    from server.cli import bootstrap_all
    from server.db import couch, registry
    from server.qr.signing import generate_key_spec
    prefix = "st" + uuid.uuid4().hex[:8] + "_"
    app = create_app({"TESTING": True, "COUCHDB_URL": couch_url, "DB_PREFIX": prefix,
                      "SECRET_KEY": "stats-secret-key-" + "x" * 32, "QR_KEYS": generate_key_spec("k1"),
                      "QR_ACTIVE_KEY": "k1", "LOGIN_RATE_LIMIT": "1000 per minute",
                      "PUBLIC_BASE_URL": "http://testserver"})
    with app.app_context():
        bootstrap_all()
        for name, role, region in (("city.sup", "supervisor", "370100"), ("lixia.sup", "supervisor", "370102"),
                                   ("qd.sup", "supervisor", "370200"), ("root", "admin", "370000"),
                                   ("insp", "inspector", "370102"), ("expert", "expert", "370100")):
            store.create_user(registry(), {"username": name, "role": role, "region": region,
                                           "display_name": name, "password": PASSWORD})
    app.generated = load(app)
    yield app
    with app.app_context():
        for name in couch().all_dbs():
            if name.startswith(prefix):
                couch().delete_db(name)


@pytest.fixture(scope="module")
def city(stats_app):
    """The city supervisor (济南市, 370100), signed in."""
    return Session(stats_app, "city.sup")


def local(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(SHANGHAI)


def row_of(scope: str, region: str) -> str:
    """The row a region counts in when grouping by region under `scope` (the level below it)."""
    if scope == "":
        return region[:2] + "0000"
    if scope.endswith("0000"):
        return region[:4] + "00"
    return region


def in_scope(scope: str, region: str) -> bool:
    prefix = scope[:2] if scope.endswith("0000") else scope[:4] if scope.endswith("00") else scope
    return region.startswith(prefix)


def period(month: int, kind: str) -> int:
    return month if kind == "month" else (month - 1) // 3 + 1


def _keys(doc: dict, scope: str, group: str) -> list[str]:
    if group == "region":
        return [row_of(scope, doc["region"])]
    if group == "sector":
        return [doc.get("sector") or ""]
    return list(dict.fromkeys(doc.get("team") or []))


def expected(docs: list[dict], scope: str, year: int, group: str, kind: str, on: date | None = None) -> dict:
    """key → {'inspections', 'general', 'major', 'closed', 'overdue', 'supervised', 'periods': Counter …}."""
    on = on or today()
    out: dict = defaultdict(lambda: {"inspections": 0, "general": 0, "major": 0, "closed": 0, "overdue": 0,
                                     "supervised": 0, "periods": Counter(), "hazard_periods": Counter()})
    for doc in docs:
        if doc.get("region") is None or not in_scope(scope, doc["region"]):
            continue
        if doc["type"] == "inspection" and doc["status"] == "finished" and doc["review_status"] in DONE:
            when = local(doc["finished_at"])
            if when.year == year:
                for key in _keys(doc, scope, group):
                    out[key]["inspections"] += 1
                    out[key]["periods"][period(when.month, kind)] += 1
        if doc["type"] != "hazard_case" or group == "inspector" or doc["state"] == "void":
            continue
        key = _keys(doc, scope, group)[0]
        when = local(doc["found_at"])
        if when.year == year:
            out[key][doc["grade"]] += 1
            out[key]["closed"] += doc["state"] == "closed"
            out[key]["hazard_periods"][period(when.month, kind)] += 1
        if doc["state"] in ("found", "ordered") and doc["deadline"] and doc["deadline"] < on.isoformat():
            out[key]["overdue"] += 1
        if doc["supervised"] and doc["state"] != "closed":
            out[key]["supervised"] += 1
    return dict(out)
