"""Design-document upgrades: a changed view is built under a staging id while the old one keeps answering."""
from __future__ import annotations

from sync.couch import Couch
from sync.ddoc_upgrade import STAGING_SUFFIX, build_staged, install

V1 = {"_id": "_design/demo", "language": "javascript",
      "views": {"by_kind": {"map": "function (doc) { if (doc.kind) emit(doc.kind, 1); }"}}}
V2 = {"_id": "_design/demo", "language": "javascript",
      "views": {"by_kind": {"map": "function (doc) { if (doc.kind) emit(doc.kind, 2); }"}}}


def _db(couch_url, db_prefix):
    couch = Couch(couch_url)
    couch.create_db(db_prefix + "ddoc")
    db = couch.db(db_prefix + "ddoc")
    db.bulk_docs([{"_id": f"d{i}", "kind": "a" if i % 2 else "b"} for i in range(40)])
    return couch, db


def _values(db):
    return {row["value"] for row in db.view("demo", "by_kind")["rows"]}


def test_the_old_view_answers_until_the_staged_one_replaces_it(couch_url, db_prefix):
    couch, db = _db(couch_url, db_prefix)
    try:
        assert install(db, dict(V1)) is True
        assert _values(db) == {1}
        said = []
        build_staged(db, dict(V2), say=said.append)
        # Built, not yet in place: the application's queries still get the old answers.
        assert _values(db) == {1}
        assert any("building view" in line and "by_kind" in line for line in said)
        assert install(db, dict(V2)) is True
        assert _values(db) == {2}
        assert db.get_or_none("_design/demo" + STAGING_SUFFIX) is None
        assert install(db, dict(V2)) is False
    finally:
        couch.delete_db(db.name)


def test_a_design_document_without_views_is_replaced_in_place(couch_url, db_prefix):
    couch, db = _db(couch_url, db_prefix)
    try:
        validate = {"_id": "_design/rules", "language": "javascript",
                    "validate_doc_update": "function (n, o, u) { if (n.bad) throw({forbidden: 'bad'}); }"}
        assert install(db, dict(validate)) is True
        assert install(db, dict(validate)) is False
        assert db.get_or_none("_design/rules" + STAGING_SUFFIX) is None
    finally:
        couch.delete_db(db.name)


def test_create_db_with_shards_works_on_this_server(couch_url, db_prefix):
    couch = Couch(couch_url)
    assert couch.create_db(db_prefix + "sharded", q=1) is True
    try:
        assert couch.create_db(db_prefix + "sharded", q=1) is False
        couch.db(db_prefix + "sharded").put({"_id": "x"})
    finally:
        couch.delete_db(db_prefix + "sharded")
