"""What one sync request may cost CouchDB: ids per `_revs_diff`, `_bulk_get`, `_all_docs` and `keys`,
documents per `_bulk_docs`, JSON nesting (issue 16).

pouchdb-server answers one request at a time per database and is busy for the whole of it: `_revs_diff`
with 100,000 ids (8.6 MB, under the body cap) kept it from answering anyone, even `GET /`, for 44 s, and
the time grows with the ids (10,000: 3.9 s). PouchDB itself never asks for more than its `batch_size` at a
time (the field kit: FIELDKIT_SYNC_BATCH, 20; PouchDB's default 100), so the bounds sit well above that
(SYNC_MAX_IDS 500, SYNC_MAX_DOCS 200; the settings check keeps them at least the kit's batch) and far
below what stalls CouchDB (500 ids: about 0.2 s).
"""
from __future__ import annotations

import json

from flask import current_app

from i18n import Problem
from sync.jsondepth import TooDeep, check_text

# A document may have several open revisions (conflicts between two devices): a few per id, not hundreds.
REVS_PER_ID = 4


def max_ids() -> int:
    return int(current_app.config.get("SYNC_MAX_IDS", 500))


def max_docs() -> int:
    return int(current_app.config.get("SYNC_MAX_DOCS", 200))


def max_depth() -> int:
    return int(current_app.config.get("SYNC_MAX_JSON_DEPTH", 32))


def too_many(count: int, limit: int) -> None:
    if count > limit:
        raise Problem("gateway.too_many_ids", count=count, limit=limit)


def check_read_body(kind: str, raw: bytes) -> None:
    """A `_revs_diff`, `_bulk_get` or `POST _all_docs` body: JSON, not nested too deep, within the id bounds.
    The body is sent on as it came; only what is counted must have the form PouchDB gives it."""
    try:
        check_text(raw, max_depth())
    except TooDeep:
        raise Problem("gateway.too_deep", limit=max_depth()) from None
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise Problem("gateway.json") from exc
    if not isinstance(body, dict):
        raise Problem("gateway.json")
    limit = max_ids()
    if kind == "revs_diff":
        too_many(len(body), limit)
        revs = sum(len(v) if isinstance(v, list) else 1 for v in body.values())
        too_many(revs, limit * REVS_PER_ID)
    elif kind == "bulk_get":
        docs = body.get("docs", [])
        too_many(len(docs) if isinstance(docs, list) else 1, limit)
    elif kind == "all_docs":
        keys = body.get("keys", [])
        too_many(len(keys) if isinstance(keys, list) else 1, limit)


def check_query_ids(params: dict[str, str]) -> None:
    """`keys` of `_all_docs` and `doc_ids` of `_changes` in the query string (already checked as JSON lists)."""
    for name in ("keys", "doc_ids"):
        if name in params:
            too_many(len(json.loads(params[name])), max_ids())
