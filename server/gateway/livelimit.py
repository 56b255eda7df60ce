"""At most SYNC_LONGPOLLS_PER_ACCOUNT `_changes` long polls waiting per account in a process.

A phone's live sync keeps one long poll open (two while it also pulls a batch); an inspector with two
devices, four. Fifty from one token are not a phone: the excess is answered at once with 429 (PouchDB's
`retry: true` backs off and tries again), so one account cannot fill the edge with waiting requests.
Counted in the process that waits: under `make run` the single edge process (deploy/edge_conf.py).
"""
from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager

from i18n import Problem

_waiting: Counter = Counter()
_lock = threading.Lock()


def waiting(account: str) -> int:
    with _lock:
        return _waiting[account]


@contextmanager
def slot(account: str, limit: int):
    """Hold one of `account`'s long-poll places for the block, or refuse (gateway.too_many_longpolls)."""
    with _lock:
        if _waiting[account] >= limit:
            raise Problem("gateway.too_many_longpolls", limit=limit)
        _waiting[account] += 1
    try:
        yield
    finally:
        with _lock:
            _waiting[account] -= 1
            if _waiting[account] <= 0:
                del _waiting[account]
