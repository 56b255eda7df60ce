"""What waits to be filed, counted live from CouchDB (for /healthz and the status page; issue 16).

The worker's own report is written by the worker: when it is dead or stuck the report freezes, and it
was written only at the end of a sweep, so a burst read 0. Here each inspector database's update sequence
is compared with the worker's checkpoint for it, at the moment of asking. Also remembered, per server
process: since when each database has been seen waiting at the same checkpoint, which bounds how long
its oldest unfiled change has waited even when the worker cannot say.

At a bureau's size (1,000 phone databases, issue 17) a count is thousands of CouchDB reads, so:
- heads come from `_dbs_info`, 100 databases a request (sync/heads.py);
- a checkpoint is read only for a database whose head moved since the last count or that was waiting
  then (a checkpoint only ever advances, so a caught-up database whose head stands still is still
  caught up);
- a request never waits long for a count (at most FIRST_WAIT_S, and not at all once a count has taken
  longer than `WAIT_UNDER_S`: then the last answer is given, with its age, while a fresh one is made in the
  background), and counts are spaced so that counting takes at most a fifth of the time.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sync.couch import Couch, CouchError, Database
from sync.heads import update_seqs
from sync.worker.checkpoints import filed_up_to
from sync.phones import DB_PATTERN

MAX_COUNTED = 2000  # databases counted per look; beyond, the answer says it is partial
READERS = 8  # checkpoints read at once
WAIT_UNDER_S = 0.5  # a count that took longer than this is not waited for from then on
FIRST_WAIT_S = 2.0  # the longest a request waits for a count
DUTY = 5  # counts are at least DUTY × (the last count's duration) apart
_lock = threading.Lock()
_cache: dict[str, dict] = {}
_first_seen: dict[tuple[str, str], float] = {}  # (database, checkpoint) → when first seen waiting there
_known: dict[str, tuple[int, int]] = {}  # database → (head, gap) at the last count
_counting = threading.Lock()  # one count at a time per process (a background one and a forced one)


def count(server: Couch, prefix: str, records: Database) -> dict:
    """{total, by_db {name: changes waiting}, counted, partial, waited_s (the longest wait seen here)}."""
    with _counting:
        return _count(server, prefix, records)


def _count(server: Couch, prefix: str, records: Database) -> dict:
    names = sorted(n for n in server.all_dbs() if n.startswith(prefix) and DB_PATTERN.match(n[len(prefix):]))
    by_db, waiting_at, now = {}, set(), time.time()
    seen = {name: seq for name, seq in update_seqs(server, names[:MAX_COUNTED]).items() if seq >= 0}
    with ThreadPoolExecutor(READERS) as pool:

        def gap_of(name):
            head = seen[name]
            last = _known.get(name)
            if last and last[0] == head and last[1] <= 0:
                return name, head, 0, None
            stored = records.get_or_none(f"_local/worker-{name}") or {}
            checkpoint = str(stored.get("seq", "0"))
            gap = head - filed_up_to(stored)
            if gap > 0 and not server.db(name).changes(since=checkpoint, limit=1)["results"]:
                gap = 0   # only writes _changes never shows (CouchDB's _security), in a database no worker saw yet
            return name, head, gap, checkpoint

        for name, head, gap, checkpoint in pool.map(gap_of, sorted(seen)):
            _known[name] = (head, gap)
            if gap > 0:
                by_db[name] = gap
                waiting_at.add((name, checkpoint))
                _first_seen.setdefault((name, checkpoint), now)
    for name in set(_known) - set(seen):
        if name.startswith(prefix):
            del _known[name]
    # Filed, or the checkpoint moved (what waits now came later): forgotten.
    for key in set(_first_seen) - waiting_at:
        if key[0].startswith(prefix):
            del _first_seen[key]
    waited = max((now - _first_seen[key] for key in waiting_at), default=0.0)
    return {"total": sum(by_db.values()), "by_db": by_db, "counted": min(len(names), MAX_COUNTED),
            "partial": len(names) > MAX_COUNTED, "waited_s": round(waited, 1)}


def _refresh(server: Couch, prefix: str, records: Database, entry: dict) -> None:
    """A count in the background; a failure leaves the last answer (its age tells)."""
    try:
        _store(entry, server, prefix, records)
    except CouchError:
        return
    finally:
        with _lock:
            entry["refreshing"] = False
            entry["done"].set()


def _store(entry: dict, server: Couch, prefix: str, records: Database) -> None:
    began = time.monotonic()
    result = count(server, prefix, records)
    with _lock:
        entry.update(result=result, at=time.monotonic(), took=time.monotonic() - began)


def _answer(entry: dict) -> dict:
    return {**entry["result"], "age_s": round(time.monotonic() - entry["at"], 1), "counting": False}


def cached_count(server: Couch, prefix: str, records: Database, max_age_s: float) -> dict:
    """`count`, at most once every `max_age_s` seconds per process and prefix (monitors poll /healthz); the
    answer carries its `age_s`. Counting runs in the background and a request waits for it at most
    FIRST_WAIT_S, and not at all once counting has become slow (over WAIT_UNDER_S): then the last answer is
    given. With no answer yet after FIRST_WAIT_S (a new process at a thousand phones), the answer says
    `counting` (nothing counted yet). `max_age_s` 0 asks for a fresh count every time, however slow."""
    with _lock:
        entry = _cache.setdefault(prefix, {"result": None, "at": 0.0, "took": 0.0, "refreshing": False,
                                           "gate": threading.Lock(), "done": threading.Event()})
    if max_age_s <= 0:
        with entry["gate"]:
            _store(entry, server, prefix, records)
            with _lock:
                return _answer(entry)
    with _lock:
        has = entry["result"] is not None
        age = time.monotonic() - entry["at"]
        stale = not has or age >= max(max_age_s, DUTY * entry["took"])
        if has and not stale:
            return _answer(entry)
        if not entry["refreshing"]:
            entry["refreshing"] = True
            entry["done"].clear()
            threading.Thread(target=_refresh, args=(server, prefix, records, entry), daemon=True,
                             name="backlog-count").start()
        if has and entry["took"] > WAIT_UNDER_S:
            return _answer(entry)
        done = entry["done"]
    done.wait(FIRST_WAIT_S)
    with _lock:
        if entry["result"] is not None:
            return _answer(entry)
    return {"total": 0, "by_db": {}, "counted": 0, "partial": False, "waited_s": 0.0, "age_s": None,
            "counting": True}
