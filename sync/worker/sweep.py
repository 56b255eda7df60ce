"""The worker's safety-net sweep, cheap at 1,000 inspector databases (issue 17).

Notifications (the gateway's datagram, CouchDB 3's `_db_updates`) file a push at once; the sweep only
finds what a lost notification left behind. It used to read every database's checkpoint and change feed
on every pass: with 302 databases about 1,200 requests and 50-66 s a pass. Now:
- the databases are visited a slice at a time, round robin: each pass (every WORKER_POLL_S) checks at
  least MIN_SLICE of them and enough that all are checked once per WORKER_SWEEP_S;
- a check reads the database's `update_seq` (100 databases a request, sync/heads.py), compared with what the worker last saw there: only a
  database that changed since is filed (checkpoint and change feed read);
- the databases are listed (`_all_dbs`) once per round, not per pass;
- the backlog for the status page comes from the same numbers, not from two requests per database.
"""
from __future__ import annotations

import math

from sync.heads import heads

MIN_SLICE = 50


class Sweep:
    """Which databases a pass should file, and what the worker knows of each one's sequence."""

    def __init__(self, every_s: float, poll_s: float):
        self.every_s, self.poll_s = max(every_s, poll_s), poll_s
        self.queue: list[str] = []
        self.round_size = 0
        self.latest: dict[str, int] = {}   # update_seq at the last check
        self.filed: dict[str, int] = {}    # update_seq last seen when the database was filed up to date

    def slice(self, list_dbs) -> list[str]:
        """The next databases to check; a new round lists them again (`list_dbs()`)."""
        if not self.queue:
            self.queue = list(list_dbs())
            self.round_size = len(self.queue)
            present = set(self.queue)
            for known in (self.latest, self.filed):
                for gone in [n for n in known if n not in present]:
                    del known[gone]
        size = max(MIN_SLICE, math.ceil(self.round_size * self.poll_s / self.every_s))
        taken, self.queue = self.queue[:size], self.queue[size:]
        return taken

    def changed(self, server, names: list[str], failed: set[str]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """(name, update_seq) of those that changed since last filed (or whose last visit failed), and of those
        that hold no document at all: nothing to file there, they are noted as filed at their update_seq (a
        phone's first sync makes its database; at 1,000 phones that is a thousand names at once)."""
        out, empty = [], []
        seqs = heads(server, names)   # 100 databases a request (sync/heads.py)
        for name in names:
            if name not in seqs:    # deleted since the round was listed
                continue
            seq, is_empty = seqs[name]
            if seq < 0:
                out.append((name, -1))   # unreadable: file it, which says what is wrong
                continue
            self.latest[name] = seq
            if is_empty and name not in failed:
                if self.filed.get(name) != seq:
                    empty.append((name, seq))
                self.mark_filed(name, seq)
            elif name in failed or self.filed.get(name) != seq:
                out.append((name, seq))
        return out, empty

    def mark_filed(self, name: str, seq: int) -> None:
        """`name` was filed up to at least `seq` (the update_seq read before filing)."""
        if seq >= 0:
            self.filed[name] = seq

    def backlog(self, checkpoints: dict[str, int]) -> dict[str, int]:
        """Changes not yet filed per database, from the last checks and the worker's checkpoints. The baseline
        is the further of the checkpoint and the update_seq last seen when the database was filed up to date:
        Apache CouchDB counts a `_security` write in `update_seq` but never shows it in `_changes`, so a new
        phone database is at update_seq 2 with a feed that ends at 0 (a phantom backlog by the checkpoint
        alone)."""
        behind = {}
        for name, seq in self.latest.items():
            gap = seq - max(checkpoints.get(name, 0), self.filed.get(name, 0))
            if gap > 0:
                behind[name] = gap
        return behind
