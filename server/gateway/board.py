"""Which phone databases changed, as this process knows it: an idle phone's long poll waits here, not in CouchDB.

At 1,000 live phones each phone's long poll of `_changes` came back every SYNC_LONGPOLL_S seconds, 40 a
second, and each one held a CouchDB request for its whole wait; on the embedded server that queue was most
of its work (docs/decisions/0025-long-polls-wait-in-the-edge.md). The board follows CouchDB's
`_db_updates` feed (Apache CouchDB 3 with `_global_changes`; the embedded server has it from
sync/pouchdb_couch_api.js) and keeps, per phone database, a generation counted up at each change.

The rule it answers by, and why it cannot say "nothing changed" wrongly while the feed is followed:
- after a long poll that CouchDB answered with `last_seq` L and fewer results than its limit, the board
  remembers (L, g), g the database's generation *before* that request went out — and only if it is still
  g when the answer is back;
- a later poll with `since` = L, while the generation is still g, may wait on the board: every change
  committed after CouchDB read the feed is named by `_db_updates` later and moves the generation on, which
  wakes the poll, which then asks CouchDB. A change named late only costs one more question;
- the feed failing, or answering what it cannot answer exactly, forgets everything and wakes every waiting
  poll; a remembered answer is trusted SYNC_BOARD_TRUST_S at most (a bound on a change the feed never
  named), then CouchDB is asked again.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref

from sync.couch import Couch
from sync.notify import inspector_db_names

log = logging.getLogger(__name__)
FEED_WAIT_S = 10        # each read of the feed waits this long: a dropped application ends its follower in it
RETRY_S = 5.0


class Board:
    def __init__(self, couch: Couch, prefix: str, trust_s: float):
        self.couch, self.prefix, self.trust_s = couch, prefix, trust_s
        self._lock = threading.Lock()
        self._generation: dict[str, int] = {}
        self._events: dict[str, threading.Event] = {}
        self._known: dict[str, tuple[str, int, float]] = {}     # db -> (last_seq, generation, when)
        self._healthy = False
        self._follower: threading.Thread | None = None

    # --- what a long poll asks -------------------------------------------------------------------------
    def generation(self, db: str) -> int | None:
        """The database's generation now, to hand back to `remember`; None while the feed is not followed."""
        self._start()
        with self._lock:
            return self._generation.get(db, 0) if self._healthy else None

    def remember(self, db: str, last_seq: str, generation: int | None) -> None:
        """CouchDB answered a poll begun at `generation` with everything up to `last_seq`."""
        with self._lock:
            if self._healthy and generation is not None and self._generation.get(db, 0) == generation:
                self._known[db] = (last_seq, generation, time.monotonic())

    def quiet_since(self, db: str, since: str) -> threading.Event | None:
        """An event set at the database's next change, if the board knows nothing changed after `since`."""
        self._start()
        with self._lock:
            known = self._known.get(db)
            if (not self._healthy or known is None or known[0] != since
                    or known[1] != self._generation.get(db, 0) or time.monotonic() - known[2] > self.trust_s):
                return None
            return self._events.setdefault(db, threading.Event())

    # --- what the feed tells ---------------------------------------------------------------------------
    def changed(self, names) -> None:
        with self._lock:
            for db in names:
                self._generation[db] = self._generation.get(db, 0) + 1
                self._known.pop(db, None)
                event = self._events.pop(db, None)
                if event is not None:
                    event.set()

    def _set_healthy(self, healthy: bool) -> None:
        with self._lock:
            if healthy == self._healthy:
                return
            self._healthy = healthy
            if not healthy:
                self._known.clear()
                for event in self._events.values():
                    event.set()
                self._events.clear()

    def _start(self) -> None:
        if self._follower is not None:
            return
        with self._lock:
            if self._follower is not None:
                return
            # the thread holds the board weakly: an application dropped (tests make hundreds) ends it
            self._follower = threading.Thread(target=_follow, args=(weakref.ref(self),), name="sync-board",
                                              daemon=True)
        self._follower.start()


def _follow(ref) -> None:
    """Read `_db_updates` from "now"; after any failure, forget everything and start again from "now"."""
    since = None
    while (board := ref()) is not None:
        pause = 0.0
        try:
            if since is None:
                since = str(board.couch.db_updates(since="now")["last_seq"])
                board._set_healthy(True)
            else:
                feed = board.couch.db_updates(since=since, wait_s=FEED_WAIT_S)
                results = feed.get("results") if isinstance(feed, dict) else None
                if not isinstance(results, list) or "last_seq" not in feed:
                    raise ValueError("an answer without results or last_seq")
                board.changed(inspector_db_names((r.get("db_name") for r in results if isinstance(r, dict)),
                                                 board.prefix))
                since = str(feed["last_seq"])
        except Exception as exc:  # noqa: BLE001 - whatever stops the feed, the board must not go on trusting it
            if since is not None or board._healthy:
                log.info("sync board: _db_updates not followed (%s); long polls go to CouchDB", exc)
            board._set_healthy(False)
            since, pause = None, RETRY_S
        del board
        if pause:
            time.sleep(pause)
