"""The audit log (全程留痕): append-only, hash-chained entries in the `audit` database, and its verification."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from sync.couch import Conflict, Database

GENESIS = "0" * 64
# CouchDB itself refuses any change to an entry: sync/ddocs/audit/audit/validate_doc_update.js.


def entry_id(seq: int) -> str:
    return f"audit:{seq:012d}"


def entry_hash(entry: dict) -> str:
    """SHA-256 over the entry's canonical JSON, without CouchDB's fields and without its own hash."""
    body = {k: v for k, v in entry.items() if not k.startswith("_") and k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _head(db: Database) -> dict | None:
    rows = db.all_docs(include_docs=True, descending="true", limit=1,
                       startkey="audit:\ufff0", endkey="audit:")
    return rows[0]["doc"] if rows else None


def append(db: Database, actor: str, action: str, subject: str, details: dict | None = None) -> dict:
    """Add one entry at the end of the chain. Concurrent writers race for the next sequence number;
    the loser of a race (409) reads the new head and tries again, so the chain never forks."""
    for _attempt in range(50):
        head = _head(db)
        seq = head["seq"] + 1 if head else 1
        entry = {"_id": entry_id(seq), "type": "audit", "seq": seq,
                 "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                 "actor": actor, "action": action, "subject": subject, "details": details or {},
                 "prev": head["hash"] if head else GENESIS}
        entry["hash"] = entry_hash(entry)
        try:
            db.put(entry)
            return entry
        except Conflict:
            continue
    raise Conflict(409, "conflict", "could not append to the audit log after 50 attempts")


def verify_chain(db: Database, page: int = 2000) -> dict:
    """Walk the whole chain: every hash recomputed, every link and sequence number checked."""
    prev_hash, expected_seq, start = GENESIS, 1, "audit:"
    while True:
        rows = db.all_docs(include_docs=True, startkey=start, endkey="audit:\ufff0", limit=page + 1)
        docs = [r["doc"] for r in rows[:page]]
        for doc in docs:
            problem = _check(doc, expected_seq, prev_hash)
            if problem:
                return {"ok": False, "entries": expected_seq - 1, "broken_at": doc.get("seq"), "reason": problem}
            prev_hash, expected_seq = doc["hash"], expected_seq + 1
        if len(rows) <= page:
            return {"ok": True, "entries": expected_seq - 1, "head": prev_hash}
        start = rows[page]["id"]


def _check(doc: dict, expected_seq: int, prev_hash: str) -> str | None:
    if doc.get("seq") != expected_seq or doc["_id"] != entry_id(expected_seq):
        return f"missing entry {expected_seq}"
    if doc.get("prev") != prev_hash:
        return "link to the previous entry does not match"
    if entry_hash(doc) != doc.get("hash"):
        return "entry content does not match its hash"
    return None


def entries_for(db: Database, subject: str, limit: int = 500) -> list[dict]:
    return db.find({"type": "audit", "subject": subject}, limit=limit, sort=None)
