"""The audit log (全程留痕): append-only, hash-chained, keyed entries in the `audit` database, and its verification.

Design (docs/decisions/0011-audit-log.md, 0024-audit-lanes.md): every process appends to its own chain, a
*lane*, named by a random id drawn when the process first appends. Entries are `audit:<time>:<lane>:<seq>`:
`seq` counts the lane's entries from 1, `prev` is the hash of the lane's previous entry, and the time
prefix makes the database's key order the order in which things happened. No two processes ever write the
same entry id, so an append is one PUT that no other writer can race, on pouchdb-server, a single CouchDB
and a CouchDB cluster alike (one chain for every process was raced for each sequence number, and on a
cluster both racers could be accepted, on different copies). Within a process one lock per log
serializes the threads. Each entry also carries an HMAC of its hash under a key outside CouchDB
(server/audit_keys.py); signed checkpoints of every lane's count and head are kept outside the database.

Logs written before lanes (`audit:<seq>`, one chain) are read as the lane "" and still verify.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from server import audit_keys
from sync.couch import CouchError, Database

GENESIS = "0" * 64
LEGACY_LANE = ""      # the single chain of logs written before lanes
# An entry id already taken (pouchdb-server 403 from the validate function, CouchDB 409): only if another
# process writes under this lane's name, which a fresh lane ends. CouchDB refuses any change to an entry:
# sync/ddocs/audit/audit/validate_doc_update.js.
TAKEN_STATUSES = (403, 409)
VERIFY_REREADS = 2    # a gap or a truncation is read again (1 s apart) before it is reported: see verify_chain
_locks: dict[str, threading.Lock] = {}
_lanes: dict[tuple[int, str], "Lane"] = {}
_locks_guard = threading.Lock()


@dataclass
class Lane:
    """This process's chain in one log: its id, the last entry's sequence number, hash and time."""
    id: str
    seq: int = 0
    head: str = GENESIS
    last: datetime | None = None


def new_lane_id() -> str:
    return secrets.token_hex(6)


def stamp(at: str) -> str:
    """`2026-12-02T06:30:00.123+00:00` → `20261202T063000123Z`: the time part of an entry's id."""
    moment = datetime.fromisoformat(at).astimezone(timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"


def entry_id(at: str, lane: str, seq: int) -> str:
    return f"audit:{stamp(at)}:{lane}:{seq:012d}"


def expected_id(doc: dict) -> str:
    """The id an entry must have, from its own (hashed) content."""
    if "lane" not in doc:
        return f"audit:{doc.get('seq', 0):012d}"
    return entry_id(doc["at"], doc["lane"], doc["seq"])


def entry_hash(entry: dict) -> str:
    """SHA-256 over the entry's canonical JSON, without CouchDB's fields, its own hash and its MAC."""
    body = {k: v for k, v in entry.items() if not k.startswith("_") and k not in ("hash", "mac")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


def _log_key(db: Database) -> str:
    return f"{db.server.base}/{db.name}"


def _lane(log: str, fresh: bool = False) -> Lane:
    """This process's lane in `log` (keyed by process id too: a forked child never writes its parent's lane)."""
    key = (os.getpid(), log)
    if fresh or key not in _lanes:
        _lanes[key] = Lane(new_lane_id())
    return _lanes[key]


def _build(lane: Lane, actor: str, action: str, subject: str, details: dict | None) -> dict:
    keys, active = audit_keys.keyring()
    now = datetime.now(timezone.utc)
    if lane.last is not None and now <= lane.last:    # the clock stepped back: ids stay in the lane's order
        now = lane.last + timedelta(milliseconds=1)
    at = now.isoformat(timespec="milliseconds")
    entry = {"_id": entry_id(at, lane.id, lane.seq + 1), "type": "audit", "lane": lane.id, "seq": lane.seq + 1,
             "at": at, "actor": actor, "action": action, "subject": subject, "details": details or {},
             "prev": lane.head, "kid": active}
    entry["hash"] = entry_hash(entry)
    entry["mac"] = audit_keys.mac(keys[active], entry["hash"])
    return entry


def append(db: Database, actor: str, action: str, subject: str, details: dict | None = None) -> dict:
    """Add one entry at the end of this process's lane; returns it. Raises only when CouchDB cannot be
    written (the caller's request then fails: the action must not stand unaudited)."""
    log = _log_key(db)
    with _lock(log):
        lane = _lane(log)
        entry = _build(lane, actor, action, subject, details)
        try:
            db.put(entry)         # 201, or 202 on a cluster short of a quorum: stored, and no one else's id
        except CouchError as exc:
            if exc.status not in TAKEN_STATUSES:
                raise
            lane = _lane(log, fresh=True)
            entry = _build(lane, actor, action, subject, details)
            db.put(entry)
        lane.seq, lane.head = entry["seq"], entry["hash"]
        lane.last = datetime.fromisoformat(entry["at"])
    audit_keys.maybe_checkpoint(db.name, {lane.id: [entry["seq"], entry["hash"]]})
    _note(action)
    return entry


def _note(action: str) -> None:
    """Tell the request what it audited (server/audit_routes.py checks each state change has its entry)."""
    from flask import g, has_request_context
    if has_request_context():
        g.setdefault("audit_actions", []).append(action)


def checkpoint(db: Database) -> dict:
    """Verify the whole log, then sign every lane's count and head (CLI, cron); returns the checkpoint.
    Refuses (ValueError) to sign a log that does not verify: that would bless what was done to it."""
    result = verify_chain(db)
    if not result["ok"]:
        raise ValueError(result["reason"])
    path = audit_keys.write_checkpoint(db.name, result["lanes"])
    return {"count": result["entries"], "head": result["head"], "lanes": len(result["lanes"]),
            "path": str(path) if path else None}


def log_digest(lanes: dict[str, list]) -> str:
    """One hash for the whole log: over every lane's id, count and head (to publish, or compare)."""
    text = "\n".join(f"{lane}:{count}:{head}" for lane, (count, head) in sorted(lanes.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_chain(db: Database, page: int = 2000) -> dict:
    """Walk every lane (hashes, links, sequence numbers, ids, MACs), then hold them against the checkpoints.

    On a CouchDB cluster `_all_docs` reads one copy of each shard, which can lag the newest writes by a
    moment: an entry missing, or a lane shorter than a checkpoint just written or than what this process
    wrote itself, is read again before it is reported (VERIFY_REREADS times, 1 s apart). A real gap or
    truncation stays; lag does not."""
    result = _verify_once(db, page)
    for _ in range(VERIFY_REREADS):
        if result["ok"] or not result["lag_possible"]:
            break
        time.sleep(1)
        result = _verify_once(db, page)
    result.pop("lag_possible", None)
    return result


def _verify_once(db: Database, page: int) -> dict:
    keys, _active = audit_keys.keyring()
    checkpoints = audit_keys.load_checkpoints(db.name)
    wanted = {(lane, count) for cp in checkpoints for lane, (count, _h) in audit_keys.checkpoint_lanes(cp).items()}
    own = _lanes.get((os.getpid(), _log_key(db)))   # what this process wrote itself: held like a checkpoint
    if own and own.seq:
        wanted.add((own.id, own.seq))
    seen: dict[tuple[str, int], str] = {}
    lanes: dict[str, list] = {}          # lane → [entries so far, hash of the last]
    start = "audit:"
    while True:
        rows = db.all_docs(include_docs=True, conflicts="true", startkey=start, endkey="audit:\ufff0",
                           limit=page + 1)
        for doc in (r["doc"] for r in rows[:page]):
            lane = doc.get("lane", LEGACY_LANE)
            lane = lane if isinstance(lane, str) else None
            count, prev = lanes.get(lane, [0, GENESIS])
            problem = _check(doc, lane, count + 1, prev, keys)
            if problem:
                return {"ok": False, "entries": sum(c for c, _h in lanes.values()), "lane": lane,
                        "broken_at": doc.get("seq"), "reason": problem,
                        "lag_possible": problem.startswith("missing entry")}
            lanes[lane] = [count + 1, doc["hash"]]
            if (lane, count + 1) in wanted:
                seen[(lane, count + 1)] = doc["hash"]
        if len(rows) <= page:
            break
        start = rows[page]["id"]
    total = sum(c for c, _h in lanes.values())
    problem = _against_checkpoints(checkpoints, keys, lanes, seen, own)
    if problem:
        return {"ok": False, "entries": total, "reason": problem, "lag_possible": "truncated" in problem}
    return {"ok": True, "entries": total, "head": log_digest(lanes), "lanes": lanes,
            "checkpoints": len(checkpoints), "last_checkpoint": checkpoints[-1].get("at") if checkpoints else None}


def _check(doc: dict, lane: str | None, expected_seq: int, prev_hash: str, keys: dict) -> str | None:
    if lane is None or doc.get("seq") != expected_seq or doc["_id"] != expected_id(doc):
        return f"missing entry {expected_seq}" + (f" of writer {lane}" if lane else "")
    if doc.get("prev") != prev_hash:
        return "link to the previous entry does not match"
    if entry_hash(doc) != doc.get("hash"):
        return "entry content does not match its hash"
    if not audit_keys.mac_ok(keys, doc.get("kid"), doc["hash"], doc.get("mac")):
        return "entry is not authenticated by a known audit key (written without the key, or altered)"
    if doc.get("_conflicts"):
        return "two writers stored this entry (a CouchDB conflict); the losing version is not in the chain"
    return None


def _against_checkpoints(checkpoints: list[dict], keys: dict, lanes: dict[str, list],
                         seen: dict[tuple[str, int], str], own: Lane | None = None) -> str | None:
    """Each signed checkpoint, then what this process wrote itself (`own`), against the lanes walked."""
    statements = []     # (who said it, lane, count, head)
    for cp in checkpoints:
        if "unreadable" in cp or not audit_keys.checkpoint_ok(keys, cp):
            return f"checkpoint {cp.get('unreadable') or cp.get('count')} is unreadable or its signature is wrong"
        statements += [(f"the checkpoint of {cp['at']}", lane, count, head)
                       for lane, (count, head) in audit_keys.checkpoint_lanes(cp).items()]
    if own and own.seq:
        statements.append(("what this process wrote", own.id, own.seq, own.head))
    for source, lane, count, head in statements:
        have = lanes.get(lane, [0, GENESIS])[0]
        writer = f" of writer {lane}" if lane else ""
        if count > have:
            return f"log truncated: {source} counted {count} entries{writer}, the log has {have}"
        if count and seen.get((lane, count)) != head:
            return f"log rewritten: entry {count}{writer} differs from {source}"
    return None


def entries_for(db: Database, subject: str, limit: int = 500) -> list[dict]:
    return db.find({"type": "audit", "subject": subject}, limit=limit, sort=None)
