"""The restore drill: back up the demo city, destroy it, restore it, and find every document, revision,
attachment and audit entry again (the audit chain still verifies)."""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager

import pytest

from server import audit
from server.db import couch, database, registry
from server.demo.load import load_demo
from sync.backup import BackupError, backup, restore
from sync.couch import Couch
from tests.integration.lag import rows_by_key


def _snapshot(server, prefix, known=None):
    """Every database's documents (with revisions, conflicts and attachment digests), deletions and security.
    Read by key (`lag.rows_by_key`), over the ids listed now and those `known` before."""
    out = {}
    for name in server.all_dbs():
        if not name.startswith(prefix):
            continue
        db = server.db(name)
        seen = (known or {}).get(name, {})
        rows = rows_by_key(db, [*seen.get("docs", ()), *seen.get("deleted", ())], with_deleted=True,
                           include_docs=True, conflicts="true")
        out[name] = {"docs": {r["id"]: r["doc"] for r in rows if r.get("doc")},
                     "deleted": sorted(r["id"] for r in rows if r.get("value", {}).get("deleted")),
                     "security": db.get_security()}
    return out


def _settled_snapshot(server, prefix, expect=None, wait_s=10.0):
    """A snapshot read again until it holds still (or equals `expect`), at most `wait_s`: on a CouchDB
    cluster a listing reads one copy of each shard, which can lag the last writes."""
    deadline = time.monotonic() + wait_s
    last = _snapshot(server, prefix, expect)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _snapshot(server, prefix, expect or last)
        if (expect is None and now == last) or now == expect:
            return now
        last = now
    return last


def _differences(before, after) -> list:
    """What differs between two snapshots, as (database, document, before, after) with revisions only: a
    failed drill says which documents came back different instead of pytest's truncated dict diff."""
    out = []
    for name in sorted(set(before) | set(after)):
        one, two = before.get(name, {}), after.get(name, {})
        docs_one, docs_two = one.get("docs", {}), two.get("docs", {})
        for doc_id in sorted(set(docs_one) | set(docs_two)):
            a, b = docs_one.get(doc_id), docs_two.get(doc_id)
            if a != b:
                out.append((name, doc_id, a and (a.get("_rev"), a.get("_conflicts")),
                            b and (b.get("_rev"), b.get("_conflicts"))))
        for key in ("deleted", "security"):
            if one.get(key) != two.get(key):
                out.append((name, key, one.get(key), two.get(key)))
    return out


def _make_history(db):
    """A conflict, a deletion and an attachment: what a plain copy of the current documents would lose."""
    db.put({"_id": "drill:conflict", "v": 1})
    db.bulk_docs([{"_id": "drill:conflict", "_rev": "1-" + "a" * 32, "v": "other device"}], new_edits=False)
    gone = {"_id": "drill:gone", "v": 1}
    db.put(gone)
    db.delete("drill:gone", gone["_rev"])
    photo = {"_id": "drill:photo", "type": "drill"}
    db.put(photo)
    db.put_attachment("drill:photo", photo["_rev"], "original.jpg", bytes(range(256)) * 400, "image/jpeg")


def test_backup_destroy_restore_finds_everything(app, tmp_path):
    prefix = app.config["DB_PREFIX"]
    with app.app_context():
        load_demo(registry(), enterprises_n=60)
        server = couch()
        _make_history(database("records"))
        first = backup(server, tmp_path / "bk", prefix)
        # Incremental: the second run writes only what changed since the first.
        audit.append(database("audit"), "drill", "backup.test", "drill", {"n": 1})
        second = backup(server, tmp_path / "bk", prefix)
        if database("audit").info().get("cluster", {}).get("n", 1) == 1:
            assert second[prefix + "audit"] == 1 and sum(second.values()) == 1
        else:
            # A cluster's _changes is at least once: read from another copy of a shard than the one the
            # checkpoint names, it may send some changes again (and restoring them again is harmless).
            assert second[prefix + "audit"] >= 1 and sum(second.values()) < sum(first.values())
        assert first[prefix + "registry"] > 0
        before = _settled_snapshot(server, prefix)
        for name in before:
            server.delete_db(name)
        assert not [n for n in server.all_dbs() if n.startswith(prefix)]

        restored = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "bk")])
        assert restored.exit_code == 0, restored.output
        assert set(json.loads(restored.output)["revisions_restored"]) == set(before)
        after = _settled_snapshot(server, prefix, expect=before)
        assert after == before, _differences(before, after)
        photo = database("records").get_attachment("drill:photo", "original.jpg")
        assert photo == bytes(range(256)) * 400
        assert audit.verify_chain(database("audit"))["ok"] is True
        verify = app.test_cli_runner().invoke(args=["verify-audit"])
        assert verify.exit_code == 0, verify.output


def test_restore_refuses_a_database_that_holds_documents(app, tmp_path):
    prefix = app.config["DB_PREFIX"]
    with app.app_context():
        backup(couch(), tmp_path / "bk", prefix)
        with pytest.raises(BackupError, match="already holds documents"):
            restore(couch(), tmp_path / "bk", prefix)


def test_restore_of_an_empty_directory_says_so(app, tmp_path):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["restore", str(tmp_path)])
    assert result.exit_code != 0 and "no backup found" in result.output


def test_backup_needs_exactly_one_target(app):
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "--to-couch" in result.output


@contextmanager
def another_server(app, tmp_path):
    """The backup's target: an engine of the source's kind. Apache CouchDB 3.4.3's replicator cannot write a
    design document into pouchdb-server (the job dies with `open_doc_revs_failed`; CouchDB to CouchDB
    works), so a CouchDB source needs a second CouchDB: COUCHDB_SECOND_URL (the test's databases on it are
    removed afterwards)."""
    from sync.embedded import EmbeddedCouch
    with app.app_context():
        apache = "couchdb" in couch().info()
    if not apache:
        second = EmbeddedCouch(tmp_path / "second").start()
        try:
            yield second.url
        finally:
            second.stop()
        return
    url = os.environ.get("COUCHDB_SECOND_URL")
    if not url:
        pytest.skip("a CouchDB source needs a second CouchDB as target: set COUCHDB_SECOND_URL")
    try:
        yield url
    finally:
        other = Couch(url)
        for name in other.all_dbs():
            if name.startswith(app.config["DB_PREFIX"]):
                other.delete_db(name)


def test_backup_to_another_couchdb_by_replication(app, tmp_path):
    prefix = app.config["DB_PREFIX"]
    with another_server(app, tmp_path) as second_url:
        with app.app_context():
            database("records").put({"_id": "drill:replicated", "v": 1})
            result = app.test_cli_runner().invoke(args=["backup", "--to-couch", second_url])
            assert result.exit_code == 0, result.output
            assert set(json.loads(result.output)) == {n for n in couch().all_dbs() if n.startswith(prefix)}
        copy = Couch(second_url).db(prefix + "records")
        assert copy.get("drill:replicated")["v"] == 1


def test_a_revision_superseded_since_the_changes_feed_was_read_is_backed_up_as_its_latest_leaf(app):
    """On a cluster the changes feed may come from a copy without a document's last revision: the backup asks
    for the latest leaf of each revision it read (a quorum answers), once even when two lead to it."""
    from sync.backup import _bulk_get
    with app.app_context():
        db = database("records")
        doc = {"_id": "drill:moved", "v": 1}
        db.put(doc)
        first = doc["_rev"]
        doc["v"] = 2
        db.put(doc)
        got = _bulk_get(db, [{"id": "drill:moved", "rev": first}, {"id": "drill:moved", "rev": doc["_rev"]}])
    assert [(d["_rev"], d["v"]) for d in got] == [(doc["_rev"], 2)]
