"""When each phone last reached the server, and last sent something (for supervisors: 手机最近同步)."""
from __future__ import annotations

import threading
import time
from contextlib import suppress

from flask import current_app

from server.accounts import store as accounts
from server.db import database, registry
from server.gateway.proxy import WRITES
from server.registry.store import now_iso
from sync.couch import CouchError

_last_written: dict[tuple[str, str], float] = {}
_lock = threading.Lock()
_listed: dict[tuple[str, int], tuple[float, int, list[dict]]] = {}   # (DB_PREFIX, limit) → (read at, generation, phones)
_list_lock = threading.Lock()   # held by the one request reading the list, never by a phone's sync
_generation = [0]               # moved by a phone's first contact or first push written here: older lists are not used


def note(db_name: str, kind: str, method: str, user: dict) -> None:
    """Record the moment, at most every PHONE_SEEN_EVERY_S per phone and kind of contact, per process."""
    what = "last_push" if (kind, method) in WRITES else "last_seen"
    key = (current_app.config.get("DB_PREFIX", "") + db_name, what)
    now = time.monotonic()
    with _lock:
        if now - _last_written.get(key, float("-inf")) < current_app.config["PHONE_SEEN_EVERY_S"]:
            return
        _last_written[key] = now
    records = database("records")
    doc_id = f"phone:{db_name}"
    with suppress(CouchError):   # a lost race or a restarting CouchDB must never fail the sync itself
        doc = records.get_or_none(doc_id) or {"_id": doc_id, "type": "phone", "db": db_name}
        new = what not in doc      # a phone, or its first push, the lists here have not shown yet
        doc.update({what: now_iso(), "inspector": user.get("inspector_id"), "username": user["username"]})
        if what == "last_push":
            doc["last_seen"] = doc[what]
        records.put(doc)
        if new:
            _generation[0] += 1


def phones(limit: int = 5000) -> list[dict]:
    """Every phone that has synced, most recently seen first, each with `region`: its user's region (None
    for a user no longer in the register).

    A bureau has a thousand phones: the list costs a read of every phone document and of every phone's
    user, too much for each load of the status page or each scrape of /metrics (issue 17: the page took
    2 s at 250 live phones). So each process keeps it PHONE_LIST_CACHE_S (15 s); the times in it move at
    most every PHONE_SEEN_EVERY_S anyway. A phone's first contact or first push written by this process
    drops it at once. One request reads it while the others asking at the same moment wait for that read."""
    keep = float(current_app.config.get("PHONE_LIST_CACHE_S", 15))
    key = (current_app.config.get("DB_PREFIX", ""), limit)
    with _list_lock:
        listed = _listed.get(key)
        if listed is not None and time.monotonic() - listed[0] < keep and listed[1] == _generation[0]:
            return listed[2]
        began, generation = time.monotonic(), _generation[0]
        docs = database("records").find({"type": "phone", "db": {"$gt": None}}, limit=limit)
        names = sorted({d["username"].lower() for d in docs if isinstance(d.get("username"), str)})
        users = registry().docs_by_id([accounts.user_id(name) for name in names])
        for doc in docs:
            user = users.get(accounts.user_id(doc["username"].lower())) if isinstance(doc.get("username"), str) else None
            doc["region"] = (user or {}).get("region")
        docs.sort(key=lambda d: d.get("last_seen", ""), reverse=True)
        _listed[key] = (began, generation, docs)
        return docs
