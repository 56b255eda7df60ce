"""Creates the databases, indexes and security objects the system needs; safe to run again."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from sync.couch import Couch, shard_copies
from sync.ddoc_upgrade import install

log = logging.getLogger(__name__)

DATABASES = ("registry", "records", "audit", "public", "reports")  # reports: 举报, issue 15; never on phones
LARGE_DATABASES = ("records", "audit")
# Only the server's admin credentials may read or write: browsers never reach CouchDB directly.
SECURITY = {"admins": {"names": [], "roles": ["_admin"]}, "members": {"names": [], "roles": ["_admin"]}}
DDOCS = Path(__file__).resolve().parent / "ddocs"
INDEXES = {
    "registry": [
        (["type", "region"], "type-region"),
        (["type", "cert_no"], "type-cert"),
        (["type", "key", "version"], "type-key-version"),
        (["type", "plan"], "type-plan"),
        (["type", "year"], "type-year"),
        (["type", "status"], "type-status"),  # plans by state (lists, inbox, workbench), tasks by state
        (["type", "username"], "type-username"),   # a user's sessions and tokens (我的账号)
    ],
    # the documents: the hazards of an inspection, the inspection answering a re-inspection task
    "records": [(["type", "inspection"], "type-inspection"), (["type", "task"], "type-task"),
                (["type", "last_seen"], "type-seen"),  # the workbench's phones not seen for days
                # an enterprise's own self-reports, orders and cases; self-reports waiting for review
                (["type", "enterprise"], "type-enterprise"), (["type", "status", "submitted_at"], "type-status-at")],
    "public": [(["type", "region"], "type-region")],
    "audit": [(["type", "subject"], "type-subject")],
    "reports": [(["type", "receipt.locator"], "type-locator")],   # a receipt code finds its report
}
# On a CouchDB cluster `_find` picks its index from each node's cache of the database's index definitions
# (mango_idx in ddoc_cache), filled from the first shard copy to answer; right after an index is written that
# copy may not have it yet, and the node refuses a sort (400 no_usable_index) until the cache is refreshed.
# `GET /db/_index` reads the same cache: bootstrap waits until this many reads in a row list every index, at
# most INDEX_SETTLE_S. On one node or pouchdb-server there is no copy to wait for.
INDEX_SETTLE_READS = 3
INDEX_SETTLE_S = 30.0


def design_docs(db_name: str) -> list[dict]:
    """Design documents kept as files: ddocs/<db>/<ddoc>/validate_doc_update.js, views/<view>/map.js."""
    docs = []
    for folder in sorted((DDOCS / db_name).glob("*")) if (DDOCS / db_name).exists() else []:
        doc: dict = {"_id": f"_design/{folder.name}", "language": "javascript"}
        validate = folder / "validate_doc_update.js"
        if validate.exists():
            doc["validate_doc_update"] = validate.read_text(encoding="utf-8").strip()
        views = {}
        for view in sorted((folder / "views").glob("*")) if (folder / "views").exists() else []:
            views[view.name] = {part.stem: part.read_text(encoding="utf-8").strip() for part in view.glob("*.js")}
        if views:
            doc["views"] = views
        docs.append(doc)
    return docs


def _ensure_design_docs(db, name: str, created: dict, say) -> None:
    for ddoc in design_docs(name):
        if install(db, ddoc, say):
            created["design_docs"].append(f"{name}/{ddoc['_id']}")


def _await_indexes(db, names: list[str], say, reads: int = INDEX_SETTLE_READS,
                   limit_s: float = INDEX_SETTLE_S) -> bool:
    """Wait until `reads` listings in a row name every index of `names`; False if `limit_s` passed first."""
    if shard_copies(db.info()) <= 1:
        return True
    wanted, streak, told = set(names), 0, False
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        listed = {i.get("name") for i in db.indexes()}
        streak = streak + 1 if wanted <= listed else 0
        if streak >= reads:
            return True
        if streak:
            continue   # a listing takes a few ms: the next read follows at once
        if not told:
            say(f"{db.name}: waiting until every copy of the database has its new query indexes")
            told = True
        time.sleep(0.1)
    log.warning("bootstrap: %s: the new query indexes are not yet on every copy after %.0f s; "
                "sorted lists may fail until they are", db.name, limit_s)
    return False


def bootstrap(server: Couch, prefix: str = "", q_large: int | None = None, say=log.info) -> dict:
    """Make sure every database, index and security object exists. Returns what it created.
    `q_large`: shards for the databases that grow with the years (COUCH_Q_LARGE; None: the server's default);
    `say` is told of each view index it builds before a changed design document replaces the old one."""
    created = {"databases": [], "indexes": [], "design_docs": []}
    for name in DATABASES:
        full = prefix + name
        if server.create_db(full, q=q_large if name in LARGE_DATABASES else None):
            created["databases"].append(full)
        db = server.db(full)
        if db.get_security() != SECURITY:
            db.put_security(SECURITY)
        _ensure_design_docs(db, name, created, say)
        for fields, index_name in INDEXES.get(name, []):
            # One design document for all of a database's indexes: pouchdb-server slows every write for
            # each design document it holds (measured in docs/benchmarks.md).
            res = db.create_index(fields, index_name, ddoc="idx")
            if res.get("result") == "created":
                created["indexes"].append(f"{full}/{index_name}")
        if any(i.startswith(full + "/") for i in created["indexes"]):
            _await_indexes(db, [index_name for _, index_name in INDEXES[name]], say)
    log.info("bootstrap: created %s", created)
    return created
