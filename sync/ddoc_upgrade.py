"""Design-document upgrades without downtime: a changed view is built under a staging id before it replaces
the one the application queries.

CouchDB keys a view index by the signature of the design document's views, not by its id: an index built
for `_design/<name>-staging` is the one `_design/<name>` uses once it holds the same views, so the swap
is instant and the old views keep answering while the new ones build. (pouchdb-server keys its indexes by
name and rebuilds after the swap; the old views still answer until then.)
"""
from __future__ import annotations

import logging
import time

from sync.couch import CouchError, Database

log = logging.getLogger(__name__)
STAGING_SUFFIX = "-staging"
BUILD_TIMEOUT_S = 300.0


def _same(current: dict | None, wanted: dict) -> bool:
    return bool(current) and {k: v for k, v in current.items() if k != "_rev"} == wanted


def _views_changed(current: dict | None, wanted: dict) -> bool:
    return bool(current) and bool(wanted.get("views")) and current.get("views") != wanted.get("views")


def build_staged(db: Database, wanted: dict, say=log.info, timeout_s: float = BUILD_TIMEOUT_S,
                 attempts: int = 12) -> None:
    """Put the new views under the staging id and query each until its index is built."""
    staging_id = wanted["_id"] + STAGING_SUFFIX
    staged = {**wanted, "_id": staging_id}
    old = db.get_or_none(staging_id)
    if old:
        staged["_rev"] = old["_rev"]
    db.put(staged)
    name = staging_id.split("/", 1)[1]
    for view in sorted(wanted["views"]):
        say(f"building view {db.name}/{wanted['_id']}/{view} (staged as {staging_id})")
        started = time.monotonic()
        for attempt in range(attempts):
            try:
                db.view(name, view, timeout_s=timeout_s, limit=0)
                break
            except CouchError as exc:
                # A read timeout on a large database: CouchDB goes on building; ask again.
                if attempt == attempts - 1:
                    raise
                say(f"still building {view} after {time.monotonic() - started:.0f} s ({exc.error})")
        say(f"built {view} in {time.monotonic() - started:.1f} s")


def install(db: Database, wanted: dict, say=log.info) -> bool:
    """Make `wanted` the design document at its id; False when it already was. Changed views are staged."""
    current = db.get_or_none(wanted["_id"])
    if _same(current, wanted):
        return False
    if _views_changed(current, wanted):
        build_staged(db, wanted, say)
    doc = dict(wanted)
    if current:
        doc["_rev"] = current["_rev"]
    db.put(doc)
    staging = db.get_or_none(wanted["_id"] + STAGING_SUFFIX)
    if staging:
        db.delete(staging["_id"], staging["_rev"])
    return True
