"""Reads right after a write, on an Apache CouchDB cluster: views, `_find`, `_all_docs` and `_changes` read one
copy of each shard, which may not have the write yet (decision 0018). Tests read again, bounded."""
from __future__ import annotations

import time


def read_until(read, done, seconds: float = 15.0, every_s: float = 0.3):
    """`read()` again until `done(value)` or `seconds` have passed; returns the last value read."""
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(every_s)
        value = read()
    return value
