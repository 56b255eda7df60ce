"""Follows every inspector database's change feed with stored checkpoints, and reports backlog and errors.

A sweep visits every inspector database; between sweeps the worker files at once each database the
gateway's notification or CouchDB 3's `_db_updates` feed names (sync/worker/wake.py).
"""
from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timezone

from sync.couch import CouchError, Database, NotFound
from sync.notify import inspector_db_names
from sync.phones import DB_PATTERN
from sync.worker.deliver import deliver_reviews
from sync.worker.purge import purge_phone
from sync.worker.steps import Context, handle

log = logging.getLogger(__name__)
BATCH = 200
STATUS_ID = "_local/worker-status"
MAX_UNKNOWN = 20  # names not seen before, checked against CouchDB per wake-up (the rest wait for the sweep)


def seq_number(seq) -> int:
    """pouchdb-server counts 1, 2, 3…; CouchDB 3 says '12-g1AAAA…': both start with the count."""
    match = re.match(r"^(\d+)", str(seq))
    return int(match.group(1)) if match else 0


class Worker:
    """One pass (`run_once`) visits each inspector database that changed since its checkpoint."""

    def __init__(self, server, prefix: str, registry: Database, records: Database, context_args: dict,
                 limits: dict | None = None, periodic: list | None = None):
        self.server, self.prefix = server, prefix
        # (every_s, name, fn): steps run now and then, not per change (e.g. escalating overdue hazards).
        # The first run is one period after start: such a step may read a view, and bringing a view up to
        # date after a burst of filing costs pouchdb-server seconds that filing should not wait for.
        self.periodic = [{"every": every, "name": name, "fn": fn, "last": time.monotonic()}
                         for every, name, fn in (periodic or [])]
        self.limits = {"keep_days": 30, "budget": 5000, "purge_every_s": 600, **(limits or {})}
        self.last_purge = float("-inf")
        self.over_budget: list[str] = []
        self.registry, self.records = registry, records
        self.context_args = context_args
        self.processed = 0
        self.last_error: str | None = None
        # While CouchDB's _db_updates feed is followed, databases are listed once and then known from the feed.
        self.follows_updates = False
        self.known: set[str] = set()
        self.retry: set[str] = set()   # databases whose last visit failed
        self._listed = False

    def inspector_dbs(self) -> list[str]:
        """This system's inspector databases: listed from CouchDB, or, while `_db_updates` is followed, those
        the first listing found and those named since."""
        if not (self.follows_updates and self._listed):
            names = [n for n in self.server.all_dbs() if n.startswith(self.prefix)]
            self.known = {n for n in names if DB_PATTERN.match(n[len(self.prefix):])}
            self._listed = True
        return sorted(self.known)

    def _checkpoint(self, name: str) -> dict:
        return self.records.get_or_none(f"_local/worker-{name}") or {"_id": f"_local/worker-{name}", "seq": "0"}

    def process_db(self, name: str) -> int:
        """File everything new in one database, a batch at a time; the checkpoint moves after each batch."""
        db = self.server.db(name)
        inspector_id = "inspector:" + name[len(self.prefix) + len("inspector_"):]
        ctx = Context(source=db, inspector_id=inspector_id, registry=self.registry, records=self.records,
                      **self.context_args)
        checkpoint, done = self._checkpoint(name), 0
        while True:
            feed = db.changes(since=checkpoint["seq"], limit=BATCH, include_docs=True, style="all_docs",
                              conflicts="true")
            docs = [c["doc"] for c in feed["results"] if c.get("doc")]
            ctx.prefetch(docs)
            for doc in docs:
                outcome = handle(ctx, doc)
                done += int(outcome == "filed" or outcome.startswith("rejected:"))
            ctx.flush()
            if not feed["results"]:
                return done
            checkpoint["seq"] = feed["last_seq"]
            self.records.put(checkpoint)

    def backlog(self) -> dict[str, int]:
        behind = {}
        for name in self.inspector_dbs():
            since = self._checkpoint(name)["seq"]
            gap = seq_number(self.server.db(name).info()["update_seq"]) - seq_number(since)
            # On a CouchDB 3 cluster the count may be read from shard copies other than those the checkpoint
            # came from: a gap is a backlog only if the feed has something after the checkpoint.
            if gap > 0 and self.server.db(name).changes(since=since, limit=1)["results"]:
                behind[name] = gap
        return behind

    def run_once(self) -> int:
        """One sweep: file what is new in every inspector database (the safety net for a lost notification;
        while `_db_updates` is followed, only where the last visit failed), deliver reviews, purge, report."""
        targets = sorted(self.retry) if self.follows_updates and self._listed else self.inspector_dbs()
        done = self._file(targets)
        done += deliver_reviews(self.server, self.prefix, self.records, self.context_args["seal_secret"])
        self.purge_if_due()
        self.run_periodic()
        self.processed += done
        self.write_status()
        return done

    def visit(self, names: set[str]) -> int:
        """File what is new in the databases a notification or the `_db_updates` feed named: only this
        system's inspector databases that exist; any other name costs nothing but a look."""
        names = inspector_db_names(names, self.prefix)
        for name in sorted(names - self.known)[:MAX_UNKNOWN]:
            if self.server.db(name).exists():
                self.known.add(name)
        done = self._file(sorted(names & self.known))
        self.processed += done
        return done

    def _file(self, names: list[str]) -> int:
        done = 0
        for name in names:
            try:
                done += self.process_db(name)
                self.retry.discard(name)
            except NotFound:  # deleted since it was listed or named
                self.known.discard(name)
                self.retry.discard(name)
            except CouchError as exc:
                self.last_error = f"{name}: {exc}"
                self.retry.add(name)
                log.exception("worker: %s failed", name)
        return done

    def purge_if_due(self) -> None:
        """At most every `purge_every_s` seconds: closed work off the phones, budgets kept."""
        if time.monotonic() - self.last_purge < self.limits["purge_every_s"]:
            return
        self.last_purge = time.monotonic()
        self.over_budget = []
        for name in self.inspector_dbs():
            result = purge_phone(self.server.db(name), self.registry, self.records,
                                 self.limits["keep_days"], self.limits["budget"])
            if result["over_budget"]:
                self.over_budget.append(name)

    def run_periodic(self) -> None:
        for job in self.periodic:
            if time.monotonic() - job["last"] < job["every"]:
                continue
            job["last"] = time.monotonic()
            try:
                job["fn"]()
            except CouchError as exc:
                self.last_error = f"{job['name']}: {exc}"
                log.exception("worker: %s failed", job["name"])

    def write_status(self) -> None:
        status = self.records.get_or_none(STATUS_ID) or {"_id": STATUS_ID}
        status.update(at=datetime.now(timezone.utc).isoformat(timespec="seconds"), processed=self.processed,
                      last_error=self.last_error, backlog=sum(self.backlog().values()),
                      phones_over_budget=self.over_budget)
        self.records.put(status)

    def run_forever(self, poll_s: float, stop, wake=None) -> None:
        """Sweep every `poll_s` seconds (at once again after a sweep that found work); in between, file each
        database `wake` names as soon as it does. A flood of names beyond what it holds means a sweep now."""
        next_sweep = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + (0 if self.run_once() else poll_s)
                    continue
                remaining = next_sweep - time.monotonic()
                if wake is None:
                    stop.wait(remaining)
                    continue
                names, overflowed = wake.wait(remaining)
                if overflowed:
                    next_sweep = 0.0
                if names and not stop.is_set():
                    self.visit(names)
            except CouchError as exc:  # CouchDB restarting: note it, wait, go on
                self.last_error = str(exc)
                log.error("worker pass failed: %s", exc)
                stop.wait(min(poll_s * 5, 30))
