"""The application's handle on CouchDB: one client per process and the database names it uses."""
from __future__ import annotations

from flask import Flask, current_app

from sync import phones
from sync.couch import Couch, Database

REGISTRY, RECORDS, AUDIT, PUBLIC = "registry", "records", "audit", "public"


def init_app(app: Flask) -> None:
    app.extensions["couch"] = Couch(app.config["COUCHDB_URL"], session_renew_s=app.config["COUCH_SESSION_RENEW_S"])


def couch() -> Couch:
    return current_app.extensions["couch"]


def database(name: str) -> Database:
    """A database by its logical name; DB_PREFIX lets several systems (or test runs) share one server."""
    return couch().db(current_app.config.get("DB_PREFIX", "") + name)


def registry() -> Database:
    return database(REGISTRY)


def inspector_db_name(prefix: str, inspector_id: str) -> str:
    """`inspector:3f2a9c1b0d4e` → `<prefix>inspector_3f2a9c1b0d4e`: the one database that inspector's phone syncs."""
    return prefix + phones.db_name(inspector_id)


def ensure_inspector_db(inspector_id: str) -> Database:
    """The inspector's phone database, created admin-only (bootstrap's SECURITY) if missing; safe to call again."""
    return phones.ensure_db(couch(), current_app.config.get("DB_PREFIX", ""), inspector_id)
