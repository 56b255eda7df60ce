"""The audit log (全程留痕): append-only, hash-chained, keyed entries in the `audit` database, and its verification.

Design (docs/decisions/0011-audit-log.md): entries keep their sequence ids (`audit:<seq>`) and hash chain;
each also carries an HMAC of its hash under a key outside CouchDB (server/audit_keys.py). Appends never
fail a request on a lost race: within a process they are serialized by a lock per log (so 32 threads never
race each other), and between processes the loser of a race (pouchdb-server answers 403 from the validate
function, Apache CouchDB 409) reads the new head and tries again after a jittered back-off, until
AUDIT_APPEND_TIMEOUT_S.
"""
from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from datetime import datetime, timezone

from server import audit_keys
from sync.couch import CouchError, Database

GENESIS = "0" * 64
RACE_STATUSES = (403, 409)   # another writer took this sequence number (pouchdb-server 403, CouchDB 409)
# CouchDB itself refuses any change to an entry: sync/ddocs/audit/audit/validate_doc_update.js.
_locks: dict[str, threading.Lock] = {}
_heads: dict[str, tuple[int, str]] = {}
_locks_guard = threading.Lock()


def entry_id(seq: int) -> str:
    return f"audit:{seq:012d}"


def entry_hash(entry: dict) -> str:
    """SHA-256 over the entry's canonical JSON, without CouchDB's fields, its own hash and its MAC."""
    body = {k: v for k, v in entry.items() if not k.startswith("_") and k not in ("hash", "mac")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _head(db: Database) -> tuple[int, str]:
    rows = db.all_docs(include_docs=True, descending="true", limit=1,
                       startkey="audit:\ufff0", endkey="audit:")
    return (rows[0]["doc"]["seq"], rows[0]["doc"]["hash"]) if rows else (0, GENESIS)


def _lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


def _build(seq: int, prev: str, actor: str, action: str, subject: str, details: dict | None) -> dict:
    keys, active = audit_keys.keyring()
    entry = {"_id": entry_id(seq), "type": "audit", "seq": seq,
             "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
             "actor": actor, "action": action, "subject": subject, "details": details or {},
             "prev": prev, "kid": active}
    entry["hash"] = entry_hash(entry)
    entry["mac"] = audit_keys.mac(keys[active], entry["hash"])
    return entry


def append(db: Database, actor: str, action: str, subject: str, details: dict | None = None) -> dict:
    """Add one entry at the end of the chain; returns it. Raises only when CouchDB cannot be written at
    all, or other processes kept winning for AUDIT_APPEND_TIMEOUT_S seconds."""
    deadline = time.monotonic() + float(audit_keys.setting("AUDIT_APPEND_TIMEOUT_S", 20) or 20)
    log = f"{db.server.base}/{db.name}"
    with _lock(log):
        # The head this process wrote last is usually still the head: one PUT per append, no read.
        seq, prev = _heads.get(log) or _head(db)
        attempt = 0
        while True:
            entry = _build(seq + 1, prev, actor, action, subject, details)
            try:
                db.put(entry)
                break
            except CouchError as exc:
                if exc.status not in RACE_STATUSES or time.monotonic() > deadline:
                    _heads.pop(log, None)
                    raise
            attempt += 1
            time.sleep(random.uniform(0, min(0.25, 0.005 * 2 ** attempt)))
            seq, prev = _head(db)
        _heads[log] = (entry["seq"], entry["hash"])
    audit_keys.maybe_checkpoint(db.name, entry["seq"], entry["hash"])
    _note(action)
    return entry


def _note(action: str) -> None:
    """Tell the request what it audited (server/audit_routes.py checks each state change has its entry)."""
    from flask import g, has_request_context
    if has_request_context():
        g.setdefault("audit_actions", []).append(action)


def checkpoint(db: Database) -> dict:
    """Write a signed checkpoint of the current head now (CLI, cron); returns it."""
    seq, head = _head(db)
    path = audit_keys.write_checkpoint(db.name, seq, head)
    return {"count": seq, "head": head, "path": str(path) if path else None}


def verify_chain(db: Database, page: int = 2000) -> dict:
    """Walk the whole chain (hashes, links, sequence numbers, MACs), then hold it against the checkpoints."""
    keys, _active = audit_keys.keyring()
    checkpoints = audit_keys.load_checkpoints(db.name)
    wanted = {cp["count"] for cp in checkpoints if isinstance(cp.get("count"), int)}
    seen: dict[int, str] = {}
    prev_hash, expected_seq, start = GENESIS, 1, "audit:"
    while True:
        rows = db.all_docs(include_docs=True, conflicts="true", startkey=start, endkey="audit:\ufff0",
                           limit=page + 1)
        for doc in (r["doc"] for r in rows[:page]):
            problem = _check(doc, expected_seq, prev_hash, keys)
            if problem:
                return {"ok": False, "entries": expected_seq - 1, "broken_at": doc.get("seq"), "reason": problem}
            if expected_seq in wanted:
                seen[expected_seq] = doc["hash"]
            prev_hash, expected_seq = doc["hash"], expected_seq + 1
        if len(rows) <= page:
            break
        start = rows[page]["id"]
    count = expected_seq - 1
    problem = _against_checkpoints(checkpoints, keys, count, seen)
    if problem:
        return {"ok": False, "entries": count, "reason": problem}
    return {"ok": True, "entries": count, "head": prev_hash, "checkpoints": len(checkpoints),
            "last_checkpoint": checkpoints[-1].get("at") if checkpoints else None}


def _check(doc: dict, expected_seq: int, prev_hash: str, keys: dict) -> str | None:
    if doc.get("seq") != expected_seq or doc["_id"] != entry_id(expected_seq):
        return f"missing entry {expected_seq}"
    if doc.get("prev") != prev_hash:
        return "link to the previous entry does not match"
    if entry_hash(doc) != doc.get("hash"):
        return "entry content does not match its hash"
    if not audit_keys.mac_ok(keys, doc.get("kid"), doc["hash"], doc.get("mac")):
        return "entry is not authenticated by a known audit key (written without the key, or altered)"
    if doc.get("_conflicts"):
        return "two writers stored this entry (a CouchDB conflict); the losing version is not in the chain"
    return None


def _against_checkpoints(checkpoints: list[dict], keys: dict, count: int, seen: dict[int, str]) -> str | None:
    for cp in checkpoints:
        if "unreadable" in cp or not audit_keys.checkpoint_ok(keys, cp):
            return f"checkpoint {cp.get('unreadable') or cp.get('count')} is unreadable or its signature is wrong"
        if cp["count"] > count:
            return f"log truncated: a checkpoint of {cp['at']} counted {cp['count']} entries, the log has {count}"
        if cp["count"] and seen.get(cp["count"]) != cp["head"]:
            return f"log rewritten: entry {cp['count']} differs from the checkpoint of {cp['at']}"
    return None


def entries_for(db: Database, subject: str, limit: int = 500) -> list[dict]:
    return db.find({"type": "audit", "subject": subject}, limit=limit, sort=None)
