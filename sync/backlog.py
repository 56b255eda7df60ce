"""What waits to be filed, counted live from CouchDB (for /healthz and the status page; issue 16).

The worker's own report is written by the worker: when it is dead or stuck the report freezes, and it
was written only at the end of a sweep, so a burst read 0. Here each inspector database's update sequence
is compared with the worker's checkpoint for it, at the moment of asking. Also remembered, per server
process: since when each database has been seen waiting at the same checkpoint, which bounds how long
its oldest unfiled change has waited even when the worker cannot say.
"""
from __future__ import annotations

import threading
import time

from sync.couch import Couch, Database, NotFound, seq_number
from sync.worker.checkpoints import filed_up_to
from sync.phones import DB_PATTERN

MAX_COUNTED = 2000  # databases counted per look; beyond, the answer says it is partial
_lock = threading.Lock()
_cache: dict[str, tuple[float, dict]] = {}
_first_seen: dict[tuple[str, str], float] = {}  # (database, checkpoint) → when first seen waiting there



def count(server: Couch, prefix: str, records: Database) -> dict:
    """{total, by_db {name: changes waiting}, counted, partial, waited_s (the longest wait seen here)}."""
    names = sorted(n for n in server.all_dbs() if n.startswith(prefix) and DB_PATTERN.match(n[len(prefix):]))
    by_db, waiting_at, now = {}, set(), time.time()
    for name in names[:MAX_COUNTED]:
        try:
            head = seq_number(server.db(name).info()["update_seq"])
        except NotFound:
            continue
        stored = records.get_or_none(f"_local/worker-{name}") or {}
        checkpoint = str(stored.get("seq", "0"))
        gap = head - filed_up_to(stored)
        if gap > 0 and not server.db(name).changes(since=checkpoint, limit=1)["results"]:
            gap = 0   # only writes _changes never shows (CouchDB's _security), in a database no worker saw yet
        if gap > 0:
            by_db[name] = gap
            waiting_at.add((name, checkpoint))
            _first_seen.setdefault((name, checkpoint), now)
    # Filed, or the checkpoint moved (what waits now came later): forgotten.
    for key in set(_first_seen) - waiting_at:
        if key[0].startswith(prefix):
            del _first_seen[key]
    waited = max((now - _first_seen[key] for key in waiting_at), default=0.0)
    return {"total": sum(by_db.values()), "by_db": by_db, "counted": min(len(names), MAX_COUNTED),
            "partial": len(names) > MAX_COUNTED, "waited_s": round(waited, 1)}


def cached_count(server: Couch, prefix: str, records: Database, max_age_s: float) -> dict:
    """`count`, at most once every `max_age_s` seconds per process and prefix (monitors poll /healthz)."""
    with _lock:
        at, result = _cache.get(prefix, (0.0, None))
        if result is None or time.monotonic() - at >= max_age_s:
            result = count(server, prefix, records)
            _cache[prefix] = (time.monotonic(), result)
        return result
