"""Follows every inspector database's change feed with stored checkpoints, and reports backlog and errors.

A sweep visits every inspector database; between sweeps the worker files at once each database the
gateway's notification or CouchDB 3's `_db_updates` feed names (sync/worker/wake.py).
"""
from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timezone

from sync.couch import Conflict, CouchError, Database, NotFound, seq_number
from sync.notify import inspector_db_names
from sync.phones import DB_PATTERN
from sync.worker.checkpoints import advance, filed_up_to, note_head
from sync.worker.deliver import deliver_reviews
from sync.worker.purge import purge_phone
from sync.worker.quarantine import counts, discard, file_singly, transient
from sync.worker.reading import UNREADABLE
from sync.worker.steps import Context, handle
from sync.worker.sweep import Sweep

log = logging.getLogger(__name__)
BATCH = 200
STATUS_ID = "_local/worker-status"
HEARTBEAT_ID = "_local/worker-heartbeat"  # written every few seconds (server/health.py reads both)
RACES_BEFORE_ERROR = 5  # conflicts in a row on one database before it counts as trouble, not a race
# Names not seen before send the worker to list the databases again (one `_all_dbs`), at most this often;
# meanwhile they are held (at most MAX_HELD), never dropped: a push to a database created while the worker
# was busy must still be filed (issue 17: at 1,000 phones, pushes named with the first syncs' new databases
# were left unfiled while `_db_updates` was followed).
RELIST_MIN_S = 1.0
MAX_HELD = 10_000


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")



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
        self.limits = {"keep_days": 30, "budget": 5000, "purge_every_s": 600, "purge_slice_s": 0.5,
                       "sweep_s": 60, "poll_s": 2,
                       **(limits or {})}
        # The safety-net sweep: a slice of databases per pass, each one GET (sync/worker/sweep.py).
        self.sweep = Sweep(self.limits["sweep_s"], self.limits["poll_s"])
        self.checkpoint_seqs: dict[str, int] = {}
        self.raced: dict[str, int] = {}  # database → conflicts in a row with another worker
        self.last_purge = float("-inf")
        self.purge_queue: list[str] = []   # the phones the current purge round has still to visit
        self.purge_over: list[str] = []
        self.over_budget: list[str] = []
        self.registry, self.records = registry, records
        self.context_args = context_args
        self.processed = 0
        self.last_error: str | None = None
        self.last_error_at: str | None = None
        self.quarantined = 0
        # Liveness for /healthz (server/health.py): a heartbeat at least every `heartbeat_s` seconds, also
        # between the documents of a long batch; when it stops, the worker is dead or stuck.
        self.heartbeat_s = float(self.limits.get("heartbeat_s", 5))
        self._last_beat = float("-inf")
        self._beat: dict | None = None
        self.waiting: dict[str, str] = {}  # database → when the worker first knew it had changes to file
        # While CouchDB's _db_updates feed is followed, databases are listed once and then known from the feed.
        self.follows_updates = False
        self.known: set[str] = set()
        self.retry: set[str] = set()   # databases whose last visit failed
        self._listed = False
        self._listed_at = float("-inf")
        self.held: set[str] = set()    # named, not in the last listing: looked for at the next one
        self.wake = None          # the notifications (sync/worker/wake.py), while run_forever runs
        self.overflowed = False   # more names arrived than the wake-up holds: a sweep is due

    def inspector_dbs(self) -> list[str]:
        """This system's inspector databases: listed from CouchDB, or, while `_db_updates` is followed, those
        the last listing found and those named since."""
        if not (self.follows_updates and self._listed):
            self._list()
        return sorted(self.known)

    def list_for_sweep(self) -> list[str]:
        """A new round of the sweep lists the databases again (one `_all_dbs`)."""
        self._list()
        return sorted(self.known)

    def _list(self) -> None:
        names = [n for n in self.server.all_dbs() if n.startswith(self.prefix)]
        self.known = {n for n in names if DB_PATTERN.match(n[len(self.prefix):])}
        self._listed, self._listed_at = True, time.monotonic()

    def _learn(self, unknown: set[str]) -> None:
        """Names not among the known databases: listed again now (at most every RELIST_MIN_S; held until
        then). A name still absent from a fresh listing is no database of this system, and is dropped."""
        if time.monotonic() - self._listed_at < RELIST_MIN_S:
            room = MAX_HELD - len(self.held)
            if len(unknown) > room:
                self.overflowed = True   # more than can be held: a full sweep round finds what was cut
            self.held.update(sorted(unknown)[:max(room, 0)])
            return
        self._list()
        self.held.clear()

    def _checkpoint(self, name: str) -> dict:
        return self.records.get_or_none(f"_local/worker-{name}") or {"_id": f"_local/worker-{name}", "seq": "0"}

    def process_db(self, name: str, head: int | None = None) -> int:
        """File everything new in one database, a batch at a time; the checkpoint moves after each batch.
        A batch that cannot be read or filed whole is filed one document at a time (sync/worker/quarantine.py)."""
        db = self.server.db(name)
        inspector_id = "inspector:" + name[len(self.prefix) + len("inspector_"):]
        ctx = Context(source=db, inspector_id=inspector_id, registry=self.registry, records=self.records,
                      **self.context_args)
        # update_seq before reading the feed: once the feed is read to its end, everything up to it is filed
        head = head if head is not None and head >= 0 else seq_number(db.info()["update_seq"])
        checkpoint, done = self._checkpoint(name), 0
        while True:
            feed = self._file_batch(ctx, checkpoint["seq"])
            if feed is None:  # a document of the batch cannot be read or filed: one at a time
                feed = db.changes(since=checkpoint["seq"], limit=BATCH, style="all_docs")
                filed, problems = file_singly(ctx, feed["results"], self.beat)
                done += filed
                self.quarantined += len(problems)
                if problems:
                    self.note_error(f"{name}: set aside {problems[0]}" + (f" (+{len(problems) - 1})"
                                                                           if len(problems) > 1 else ""))
            else:
                done += feed["done"]
            if not feed["results"]:
                checkpoint = note_head(self.records, checkpoint, head)
                self.checkpoint_seqs[name] = filed_up_to(checkpoint)
                return done
            checkpoint = advance(self.records, checkpoint, feed["last_seq"])

    def _file_batch(self, ctx: Context, since) -> dict | None:
        """Read and file one batch whole; None when one of its documents makes that impossible."""
        try:
            feed = ctx.source.changes(since=since, limit=BATCH, include_docs=True, style="all_docs",
                                      conflicts="true")
            docs = [c["doc"] for c in feed["results"] if c.get("doc")]
            ctx.prefetch(docs)
            feed["done"] = 0
            for doc in docs:
                feed["done"] += counts(handle(ctx, doc))
                self.beat()
            ctx.flush()
            return feed
        except UNREADABLE:
            discard(ctx)
            return None
        except Exception as exc:  # noqa: BLE001 - the batch is redone document by document
            if transient(exc):
                raise
            discard(ctx)
            log.warning("worker: a batch of %s failed (%s: %s); filing it one document at a time",
                        ctx.source.name, type(exc).__name__, exc)
            return None

    def backlog(self) -> dict[str, int]:
        """Changes not yet filed, from the sweep's last look at each database (no request of its own); the
        databases behind are remembered with the moment they were first seen so (the health's lag)."""
        behind = self.sweep.backlog(self.checkpoint_seqs)
        for name in list(self.waiting):
            if name not in behind:
                self.waiting.pop(name, None)
        for name in behind:
            self.waiting.setdefault(name, _now())
        return behind

    def run_once(self) -> int:
        """One pass of the sweep: file what is new in a slice of the inspector databases (the safety net for a
        lost notification), deliver reviews, purge, report."""
        if self.held:
            self.visit(set())   # names waiting for a listing (counted in `processed` by visit)
        done = 0
        # Also while `_db_updates` is followed: at start the feed is read from "now" (what was pushed while no
        # worker ran is named by nothing), a flood of names may be cut, and on a cluster a look right after a
        # write may read a copy that lags. A quiet round costs one `_dbs_info` per 100 databases.
        targets, empty = self.sweep.changed(self.server, self.sweep.slice(self.list_for_sweep), self.retry)
        self._note_empty(empty)
        for name, seq in targets:
            done += self._file([name], seq)   # marks it filed for the sweep when it succeeds
            self.notified()   # counted in `processed` by visit
        done += deliver_reviews(self.server, self.prefix, self.records, self.context_args["seal_secret"])
        self.purge_if_due()
        self.run_periodic()
        self.processed += done
        self.write_status()
        return done

    def notified(self) -> int:
        """File at once what notifications named meanwhile: a pass of the sweep (a slice of a thousand
        databases, each filed when it changed since the worker last looked, which after a restart is all of
        them) or of the purge can take many seconds, and a notified push must not wait behind it (issue 17:
        push → filed p95 31 s at 1,000 phones)."""
        if self.wake is None:
            return 0
        names, overflowed = self.wake.wait(0)
        if overflowed:
            self.overflowed = True
        return self.visit(names) if names else 0

    def visit(self, names: set[str]) -> int:
        """File what is new in the databases a notification or the `_db_updates` feed named: only this
        system's inspector databases that exist; any other name costs nothing but a look."""
        names = inspector_db_names(names, self.prefix) | self.held
        if names - self.known:
            self._learn(names - self.known)
        for name in names & self.known:
            self.waiting.setdefault(name, _now())
        self.held -= self.known
        targets = sorted(names & self.known)
        if len(targets) == 1:   # a push: filed at once, without a look at its update_seq first
            return self._count(self._file(targets))
        done = 0   # many (a thousand phones' first syncs): one look per 100, and only those with something new
        todo, empty = self.sweep.changed(self.server, targets, self.retry)
        self._note_empty(empty)
        for name in set(targets) - {name for name, _ in todo}:   # nothing new there: not waiting
            self.waiting.pop(name, None)
        for name, seq in todo:
            done += self._file([name], seq)
        return self._count(done)

    def _note_empty(self, empty: list[tuple[str, int]]) -> None:
        """Apache CouchDB counts a `_security` write in update_seq: a new phone database is at 1 or 2 with
        nothing in its feed. Its checkpoint notes that head, as a visit would, so that the live backlog count
        (sync/backlog.py, from the checkpoints) does not take it for a change waiting."""
        for name, seq in empty:
            if seq > self.checkpoint_seqs.get(name, 0):
                try:
                    self.checkpoint_seqs[name] = filed_up_to(note_head(self.records, self._checkpoint(name), seq))
                except CouchError as exc:   # only the count is off until the next look: not a reason to stop
                    log.warning("worker: head of %s not noted (%s)", name, exc)

    def _count(self, done: int) -> int:
        self.processed += done
        return done

    def _file(self, names: list[str], head: int | None = None) -> int:
        done = 0
        for name in names:
            try:
                done += self.process_db(name, head)
                if name in self.checkpoint_seqs:   # a later sweep need not file it again until it changes
                    self.sweep.mark_filed(name, self.checkpoint_seqs[name])
                self.raced.pop(name, None)
                self.retry.discard(name)
                self.waiting.pop(name, None)
            except NotFound:  # deleted since it was listed or named
                self.known.discard(name)
                self.retry.discard(name)
                self.waiting.pop(name, None)
            except Conflict as exc:  # another worker filed the same batch meanwhile: read it again soon
                self.raced[name] = self.raced.get(name, 0) + 1
                self.retry.add(name)
                log.info("worker: %s was filed by another writer meanwhile (%s)", name, exc)
                if self.raced[name] >= RACES_BEFORE_ERROR:
                    self.note_error(f"{name}: {self.raced[name]} races in a row: {exc}")
            except Exception as exc:  # noqa: BLE001 - one database's trouble never stops the others
                self.note_error(f"{name}: {type(exc).__name__}: {exc}")
                self.retry.add(name)
                log.exception("worker: %s failed", name)
            self.beat()
        return done

    def purge_if_due(self) -> None:
        """Every `purge_every_s` seconds a round over every phone: closed work off the phones, budgets kept.
        A round is done a slice at a time (at most `purge_slice_s` seconds a pass): with a thousand phones a
        whole round is thousands of reads, and filing must not wait behind it (issue 17)."""
        if not self.purge_queue:
            if time.monotonic() - self.last_purge < self.limits["purge_every_s"]:
                return
            self.last_purge = time.monotonic()
            self.purge_queue, self.purge_over = list(self.inspector_dbs()), []
        until = time.monotonic() + self.limits["purge_slice_s"]
        first = True
        while self.purge_queue and (first or time.monotonic() < until):   # at least one phone a pass
            first, name = False, self.purge_queue.pop()
            try:
                result = purge_phone(self.server.db(name), self.registry, self.records,
                                     self.limits["keep_days"], self.limits["budget"])
            except NotFound:   # deleted since the round began
                continue
            except Exception as exc:  # noqa: BLE001 - one phone's purge failing leaves the others to do
                self.note_error(f"purge {name}: {type(exc).__name__}: {exc}")
                log.exception("worker: purging %s failed", name)
                continue
            finally:
                self.beat()
                self.notified()
            if result["over_budget"]:
                self.purge_over.append(name)
        if not self.purge_queue:
            self.over_budget = sorted(self.purge_over)   # what the last whole round found

    def run_periodic(self) -> None:
        for job in self.periodic:
            if time.monotonic() - job["last"] < job["every"]:
                continue
            job["last"] = time.monotonic()
            try:
                job["fn"]()
            except Exception as exc:  # noqa: BLE001 - a periodic step failing is reported, never fatal
                self.note_error(f"{job['name']}: {type(exc).__name__}: {exc}")
                log.exception("worker: %s failed", job["name"])

    def note_error(self, text: str) -> None:
        self.last_error, self.last_error_at = text[:500], _now()

    def report(self) -> dict:
        """What the worker says of itself, in both its status and its heartbeat."""
        return {"pid": os.getpid(), "processed": self.processed, "last_error": self.last_error,
                "last_error_at": self.last_error_at, "quarantined": self.quarantined,
                "oldest_waiting_since": min(self.waiting.values(), default=None)}

    def write_status(self) -> None:
        """After a sweep: the status with the backlog the sweep counted, and a heartbeat."""
        status = self.records.get_or_none(STATUS_ID) or {"_id": STATUS_ID}
        status.update(at=_now(), backlog=sum(self.backlog().values()), phones_over_budget=self.over_budget,
                      **self.report())
        self.records.put(status)
        self.beat(force=True)

    def beat(self, force: bool = False) -> None:
        """Write the heartbeat if one is due (at most every `heartbeat_s`), on its own document so that the
        sweep's status stays what it was. Never raises: CouchDB being away shows on /healthz by itself."""
        if not force and time.monotonic() - self._last_beat < self.heartbeat_s:
            return
        self._last_beat = time.monotonic()
        try:
            beat = self._beat or self.records.get_or_none(HEARTBEAT_ID) or {"_id": HEARTBEAT_ID}
            beat.update(heartbeat=_now(), **self.report())
            self.records.put(beat)
            self._beat = beat
        except Conflict:
            self._beat = None  # written by another worker meanwhile: read again next time
        except CouchError as exc:
            self._beat = None
            log.warning("worker: heartbeat not written: %s", exc)

    def run_forever(self, poll_s: float, stop, wake=None) -> None:
        """Sweep (a slice) every `poll_s` seconds, also after a sweep that found work: a notified push must not
        wait behind sweep after sweep; in between, file each database `wake` names as soon as it does. A flood
        of names beyond what it holds means a sweep now."""
        next_sweep, self.wake = 0.0, wake
        while not stop.is_set():
            try:
                if self.overflowed:
                    self.overflowed, next_sweep = False, 0.0
                if time.monotonic() >= next_sweep:
                    self.run_once()
                    next_sweep = time.monotonic() + poll_s
                    continue
                self.beat()
                # Woken at least once a heartbeat, however long the sweep period.
                remaining = min(next_sweep - time.monotonic(), self.heartbeat_s)
                if wake is None:
                    stop.wait(remaining)
                    continue
                names, overflowed = wake.wait(remaining)
                if overflowed:
                    next_sweep = 0.0
                if names and not stop.is_set():
                    self.visit(names)
            except Exception as exc:  # noqa: BLE001 - CouchDB restarting, or a bug: note it, wait, go on
                self.note_error(f"{type(exc).__name__}: {exc}")
                log.exception("worker pass failed")
                stop.wait(min(poll_s * 5, 30, self.heartbeat_s))
