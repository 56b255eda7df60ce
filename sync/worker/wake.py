"""What wakes the worker between sweeps: the gateway's word after a push, and CouchDB 3's `_db_updates` feed.

Both only name databases; `Wake.wait` hands the worker the names gathered since it last asked. The names
are held in a bounded set: a flood of distinct names beyond it is dropped and the worker sweeps instead.
"""
from __future__ import annotations

import logging
import threading

from sync.couch import Couch, CouchError
from sync.notify import Inbox, inspector_db_names

log = logging.getLogger(__name__)
MAX_PENDING = 10_000
LONGPOLL_S = 30


class Pending:
    """Distinct database names waiting for the worker, at most `limit` of them; thread-safe."""

    def __init__(self, limit: int = MAX_PENDING):
        self.limit = limit
        self._names: set[str] = set()
        self._overflowed = False
        self._lock = threading.Lock()
        self.arrived = threading.Event()

    def add(self, names) -> None:
        with self._lock:
            for name in names:
                if name in self._names:
                    continue
                if len(self._names) >= self.limit:
                    self._overflowed = True
                    break
                self._names.add(name)
        self.arrived.set()

    def take(self) -> tuple[set[str], bool]:
        """The names gathered so far, and whether some were dropped for lack of room."""
        with self._lock:
            names, self._names = self._names, set()
            overflowed, self._overflowed = self._overflowed, False
            self.arrived.clear()
        return names, overflowed


def db_updates_seq(server: Couch) -> str | None:
    """The current `_db_updates` sequence if this server offers the feed, else None (pouchdb-server: 400;
    Apache CouchDB without its `_global_changes` database: an error too). Asked once, at start."""
    try:
        return str(server.db_updates(since="now")["last_seq"])
    except (CouchError, KeyError, TypeError) as exc:
        log.info("worker: CouchDB offers no _db_updates feed (%s); databases are listed at each sweep", exc)
        return None


def changed_names(feed: dict, prefix: str) -> set[str]:
    """This system's inspector databases created or updated in one `_db_updates` answer."""
    results = feed.get("results") if isinstance(feed, dict) else None
    if not isinstance(results, list):
        return set()
    return inspector_db_names((r.get("db_name") for r in results if isinstance(r, dict)
                               and r.get("type") in ("created", "updated") and isinstance(r.get("db_name"), str)),
                              prefix)


class DbUpdatesFollower:
    """Long-polls `_db_updates` from `since` on its own thread and passes each changed database on.

    A failing CouchDB is retried with a growing pause; a server that stops offering the feed (400) ends
    the following, and `on_end` lets the worker go back to listing databases.
    """

    def __init__(self, server: Couch, prefix: str, since: str, deliver, on_end, stop: threading.Event):
        self.server, self.prefix, self.since = server, prefix, since
        self.deliver, self.on_end, self.stop = deliver, on_end, stop
        self.thread = threading.Thread(target=self._run, name="worker-db-updates", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pause = 1.0
        while not self.stop.is_set():
            try:
                feed = self.server.db_updates(since=self.since, wait_s=LONGPOLL_S)
            except CouchError as exc:
                if exc.status == 400:
                    log.warning("worker: CouchDB stopped offering _db_updates; back to listing databases")
                    self.on_end()
                    return
                log.warning("worker: _db_updates failed (%s); again in %.0f s", exc, pause)
                self.stop.wait(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 1.0
            self.since = str(feed.get("last_seq", self.since))
            names = changed_names(feed, self.prefix)
            if names:
                self.deliver(names)


class Wake:
    """The worker's alarm clock: the notification socket and/or the `_db_updates` feed, and a timeout."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.pending = Pending()
        self.inbox: Inbox | None = None
        self.follower: DbUpdatesFollower | None = None

    def listen(self, path: str, prefix: str) -> None:
        """Receive the gateway's notifications on `path`; a socket that cannot be made leaves the sweep alone."""
        try:
            self.inbox = Inbox(path, prefix, self.pending.add)
            log.info("worker: notified of pushes on %s", path)
        except OSError as exc:
            log.error("worker: cannot listen on %s (%s); changes are found by the sweep only", path, exc)

    def follow(self, server: Couch, prefix: str, since: str, on_end) -> None:
        self.follower = DbUpdatesFollower(server, prefix, since, self.pending.add, on_end, self.stop)

    def wait(self, timeout: float) -> tuple[set[str], bool]:
        """Names that arrived within `timeout` seconds (at once if some are waiting), and the overflow flag."""
        if timeout > 0:
            self.pending.arrived.wait(timeout)
        return self.pending.take()

    def kick(self) -> None:
        """End a wait early (shutting down)."""
        self.pending.arrived.set()

    def close(self) -> None:
        if self.inbox:
            self.inbox.close()
