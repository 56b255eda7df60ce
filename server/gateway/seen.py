"""When each phone last reached the server, and last sent something (for supervisors: 手机最近同步)."""
from __future__ import annotations

import threading
import time
from contextlib import suppress

from flask import current_app

from server.db import database
from server.gateway.proxy import WRITES
from server.registry.store import now_iso
from sync.couch import CouchError

_last_written: dict[tuple[str, str], float] = {}
_lock = threading.Lock()


def note(db_name: str, kind: str, method: str, user: dict) -> None:
    """Record the moment, at most once a minute per phone and kind of contact, per process."""
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
        doc.update({what: now_iso(), "inspector": user.get("inspector_id"), "username": user["username"]})
        if what == "last_push":
            doc["last_seen"] = doc[what]
        records.put(doc)


def phones(limit: int = 5000) -> list[dict]:
    docs = database("records").find({"type": "phone", "db": {"$gt": None}}, limit=limit)
    return sorted(docs, key=lambda d: d.get("last_seen", ""), reverse=True)
