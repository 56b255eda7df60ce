"""Of concurrent updates of one revision, exactly one is stored (sync/couch.py `claim_revision`, `put_once`);
of concurrent creations of one document, exactly one succeeds (`create`).

On an Apache CouchDB cluster two updates of one revision that race can both be accepted, on different
copies; a claim is a document *created* per revision, which one writer only gets a quorum for. These tests
hold on the embedded pouchdb-server, a single CouchDB and a three-node cluster (COUCHDB_URL)."""
from __future__ import annotations

import threading
import time

import pytest

from server.db import database
from sync import couch as couch_module
from sync.couch import Conflict, NotFound, Unavailable, shard_copies
from tests.integration.quorum import short_of_quorum


def _race(db, doc_id: str, n: int, create: bool = False) -> list[str]:
    """n writers at once: each updates the current revision (or, `create`, creates `doc_id`) with its own `by`.
    The outcomes, in the writers' order."""
    base = {"_id": doc_id, "type": "thing"} if create else db.get(doc_id)
    outcomes, gate = [""] * n, threading.Barrier(n)

    def one(i):
        mine = {**base, "by": i}
        gate.wait()
        try:
            (db.create if create else db.put_once)(mine)
            outcomes[i] = "stored"
        except Conflict:
            outcomes[i] = "conflict"
        except Unavailable:
            outcomes[i] = "unconfirmed"     # a cluster's copies split between racers: nobody has a quorum
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return outcomes


def _settled(db, doc_id: str) -> dict | None:
    """The document once a cluster's copies agree (no conflicting revision shows), at most 10 s; None if deleted."""
    deadline = time.monotonic() + 10
    while True:
        try:
            doc = db.get(doc_id, conflicts="true")
        except NotFound:
            return None
        if not doc.get("_conflicts") or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)


def test_of_sixteen_updates_of_one_revision_one_is_stored_and_no_conflict_is_left(app):
    with app.app_context():
        db = database("registry")
        copies = shard_copies(db.info())
        for round_ in range(3):
            doc_id = f"thing:race{round_}"
            db.put({"_id": doc_id, "type": "thing"})
            outcomes = _race(db, doc_id, 16)
            assert "" not in outcomes and outcomes.count("stored") <= 1, outcomes
            if copies == 1:         # one copy: the first claim wins outright, nobody is left unconfirmed
                assert sorted(outcomes) == ["conflict"] * 15 + ["stored"], outcomes
            doc = _settled(db, doc_id)          # a cluster's copies agree within moments
            assert "_conflicts" not in doc
            assert doc["_rev"].startswith("2-" if "stored" in outcomes else "1-")


def test_of_sixteen_creations_of_one_document_one_succeeds_and_its_content_stays(app):
    """A racer's creation can be accepted by the copies it reached first (202): it must not be told it
    succeeded, and its revision must not stay beside the winner's (CouchDB could show it instead)."""
    with app.app_context():
        db = database("registry")
        copies = shard_copies(db.info())
        for round_ in range(3):
            doc_id = f"thing:born{round_}"
            outcomes = _race(db, doc_id, 16, create=True)
            assert "" not in outcomes and outcomes.count("stored") <= 1, outcomes
            if copies == 1:
                assert sorted(outcomes) == ["conflict"] * 15 + ["stored"], outcomes
            doc = _settled(db, doc_id)
            if "stored" in outcomes:
                assert doc is not None and "_conflicts" not in doc, doc
                assert doc["by"] == outcomes.index("stored")
            else:                               # every racer short of a quorum: each took its revision back
                assert doc is None or "_conflicts" not in doc, doc


def test_a_creation_short_of_a_quorum_leaves_nothing(app, monkeypatch):
    with app.app_context():
        db = database("registry")
        short_of_quorum(monkeypatch, db, "thing%3Ashort")
        with pytest.raises(Unavailable) as refused:
            db.create({"_id": "thing:short", "type": "thing"})
        assert refused.value.error == "no_quorum"
        assert db.get_or_none("thing:short") is None


def test_a_claim_left_by_a_request_that_died_is_passed_after_it_goes_stale(app, monkeypatch):
    with app.app_context():
        db = database("registry")
        db.put({"_id": "thing:stale", "type": "thing"})
        doc = db.get("thing:stale")
        db.claim_revision(dict(doc))             # a request claimed, then died before writing
        with pytest.raises(Conflict):
            db.put_once({**doc, "v": 1})         # while the claim is fresh: someone else is at it
        monkeypatch.setattr(couch_module, "CLAIM_STALE_S", 0.0)
        db.put_once({**doc, "v": 2})             # stale: the next claim is taken and the change stored
        assert db.get("thing:stale")["v"] == 2


def test_a_claim_short_of_a_quorum_changes_nothing(app, monkeypatch):
    with app.app_context():
        db = database("registry")
        db.put({"_id": "thing:quorum", "type": "thing"})
        doc = db.get("thing:quorum")
        short_of_quorum(monkeypatch, db, "claim%3A")
        with pytest.raises(Unavailable) as refused:
            db.put_once({**doc, "v": 1})
        assert refused.value.error == "no_quorum"
        assert db.get("thing:quorum")["_rev"] == doc["_rev"]


def test_a_creation_needs_no_claim(app):
    with app.app_context():
        db = database("registry")
        db.put_once({"_id": "thing:new", "type": "thing"})
        assert not db.all_docs(startkey="claim:", endkey="claim:\ufff0")


def test_a_change_refused_after_its_claim_gives_the_claim_back(app):
    """A rule that refuses after the claim (a plan's caps, say) must not hold the revision for CLAIM_STALE_S."""
    with app.app_context():
        db = database("registry")
        db.put({"_id": "thing:refused", "type": "thing"})
        doc = db.get("thing:refused")
        with pytest.raises(ValueError):
            with db.claimed(dict(doc)):
                raise ValueError("over the cap")
        db.put_once({**doc, "v": 3})             # at once, not after 30 s
        assert db.get("thing:refused")["v"] == 3
