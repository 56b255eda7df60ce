"""Writes short of a quorum on a real Apache CouchDB: ask for one more copy (`w`) than the database has,
which CouchDB answers with 202 (a single node, n=1, and a cluster, n=3 alike). pouchdb-server keeps one copy
and never answers 202: tests using this skip there."""
from __future__ import annotations

import pytest

from server.db import couch


def short_of_quorum(monkeypatch, db, marker: str):
    """Every PUT whose path contains `marker` asks for more copies than exist; returns the real `request`
    (to put back with monkeypatch.setattr)."""
    if "couchdb" not in couch().info():
        pytest.skip("pouchdb-server has one copy of everything: no 202")
    copies = db.info().get("cluster", {}).get("n", 1)
    real = db.server.request

    def more_copies_than_exist(method, path, **kwargs):
        if method == "PUT" and marker in path:
            kwargs["params"] = {"w": copies + 1}
        return real(method, path, **kwargs)
    monkeypatch.setattr(db.server, "request", more_copies_than_exist)
    return real
