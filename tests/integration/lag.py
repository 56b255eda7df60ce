"""Reads right after a write, on an Apache CouchDB cluster: views, `_find`, `_all_docs` and `_changes` read one
copy of each shard, which may not have the write yet (decision 0018). Tests read again, bounded."""
from __future__ import annotations

import time


def read_until(read, done, seconds: float = 15.0, every_s: float = 0.3):
    """`read()` again until `done(value)` or `seconds` have passed; returns the last value read."""
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(every_s)
        value = read()
    return value


def audit_actions(app, subject: str, count: int = 0) -> list[str]:
    """The actions audited for `subject`, in the order they were taken. With `count`: read again, bounded, until
    that many show (the entries are found through `_find`, which on a cluster reads one copy of each shard)."""
    from server import audit
    from server.db import database

    def read() -> list[str]:
        with app.app_context():
            return [e["action"] for e in audit.entries_for(database("audit"), subject)]
    return read_until(read, lambda found: len(found) >= count)


def rows_by_key(db, known=(), with_deleted: bool = False, **params) -> list[dict]:
    """`_all_docs` rows, read by key, for every document listed now (and deleted, `with_deleted`) and every id in
    `known`: a cluster answers a key from a quorum of copies (`fabric:open_doc`), while a listing reads one copy of
    each shard, so the latest revisions show and a lagging listing hides no id known before. A deleted document's row
    has `value.deleted`; an id never written has no `value`."""
    listed = {row["id"] for row in db.all_docs()}
    if with_deleted:
        listed |= {row["id"] for row in db.changes(style="all_docs")["results"]}
    ids = sorted(listed | set(known))
    return [row for start in range(0, len(ids), 2000) for row in db.all_docs(keys=ids[start:start + 2000], **params)]


def audit_entries(app, action: str | None = None, count: int | None = None) -> list[dict]:
    """The audit entries (of one action), in id order. With `count`: read again, bounded, until that many show,
    since on a cluster `_all_docs` reads one copy of each shard, which may not have an entry written a moment ago."""
    from server.db import database

    def read() -> list[dict]:
        with app.app_context():
            rows = database("audit").all_docs(include_docs=True, startkey="audit:", endkey="audit:\ufff0")
        return [r["doc"] for r in rows if action is None or r["doc"].get("action") == action]
    return read() if count is None else read_until(read, lambda found: len(found) >= count)
