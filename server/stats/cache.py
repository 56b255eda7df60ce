"""Answers remembered per query until the database's update sequence moves (per process, bounded, thread-safe).

Why: pouchdb-server (the embedded CouchDB) keeps no reductions in its view index; a grouped query reads
and reduces every row in its key range on each request, ~50 µs a row, so a year of a city with 100,000
inspections costs seconds (docs/benchmarks.md). Apache CouchDB keeps reductions in the B-tree and answers
in milliseconds, but the answer is the same until some document changes; one GET of the database's
`update_seq` tells whether it has. Concurrent requests for the same query wait for one computation.

Sequences are compared by their leading count, not as strings: a CouchDB 3 cluster answers an unchanged
database's `update_seq` with different strings ('12-g1AAAA…' names the shard copies that answered, which
vary between reads), but the count is the sum of the shards' sequence numbers, which every document write,
update or deletion raises. pouchdb-server's plain 1, 2, 3… is its own count. On a cluster, copies that
took the same edits in different batches may count them differently for a while, so a change on a copy
that lags can go unseen, and a view read from a copy that lags can give an answer older than the sequence
read just before it; remembered under that sequence it would last until the next write. So on a cluster
an answer is kept at most `max_age_s` (STATS_CLUSTER_CACHE_S): no staler than that beyond the views
themselves, which read one copy of each shard (docs/decisions/0018-apache-couchdb-3.md).
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Hashable

from cachetools import LRUCache

SEQ_COUNT = re.compile(r"^(\d+)")


def seq_count(seq) -> int:
    """The count a sequence starts with (pouchdb-server: 7; CouchDB 3: '7-g1AAAA…'); -1 if none."""
    match = SEQ_COUNT.match(str(seq))
    return int(match.group(1)) if match else -1


class SeqCache:
    """`get(key, seq, compute)`: the value computed for `key` at sequence `seq`, computing it if needed."""

    def __init__(self, entries: int):
        self.entries = entries
        self._values: LRUCache = LRUCache(maxsize=max(entries, 1))
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def _cached(self, key: Hashable, seq: str, max_age_s: float | None):
        with self._guard:
            hit = self._values.get(key)
        if hit is None or hit[0] != seq_count(seq) or hit[0] == -1:
            return None
        return hit[1] if max_age_s is None or time.monotonic() - hit[2] < max_age_s else None

    def get(self, key: Hashable, seq: str, compute: Callable[[], object], max_age_s: float | None = None):
        """`max_age_s`: an answer older than this is computed again even if the sequence has not moved."""
        if self.entries <= 0:
            return compute()
        value = self._cached(key, seq, max_age_s)
        if value is not None:
            return value
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            value = self._cached(key, seq, max_age_s)
            if value is None:
                # `seq` was read before the views were: the answer may be newer than `seq`, never older.
                value = compute()
                with self._guard:
                    self._values[key] = (seq_count(seq), value, time.monotonic())
            with self._guard:
                if len(self._locks) > 4 * self.entries:
                    self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        return value
