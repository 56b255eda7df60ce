"""The application's handle on CouchDB: one client per process and the database names it uses."""
from __future__ import annotations

from flask import Flask, current_app

from sync.couch import Couch, Database

REGISTRY, RECORDS, AUDIT, PUBLIC = "registry", "records", "audit", "public"


def init_app(app: Flask) -> None:
    app.extensions["couch"] = Couch(app.config["COUCHDB_URL"])


def couch() -> Couch:
    return current_app.extensions["couch"]


def database(name: str) -> Database:
    """A database by its logical name; DB_PREFIX lets several systems (or test runs) share one server."""
    return couch().db(current_app.config.get("DB_PREFIX", "") + name)


def registry() -> Database:
    return database(REGISTRY)
