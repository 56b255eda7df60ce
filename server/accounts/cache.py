"""A per-process memory of who a token or session belongs to, so that the sync gateway's many small
requests do not each cost CouchDB reads (measured in docs/benchmarks.md).

Positive answers only. A change made through this process (password, role, region, deactivation, token
revocation, sign-out) empties it at once. Changes made through another process are learnt from the
registry's own change feed: a follower (one thread per process, started with the first question, reading
the feed every second) forgets an answer as soon as a document it was read from changes. While it follows,
an answer is kept up to `followed_ttl`; when it does not (CouchDB away, feed refused, following turned
off), up to `ttl`, so that another process's change still applies within `ttl`.

Why (issue 17): a phone's long poll comes back every 25 s; with answers kept 10 s each poll read a token
and a user, two of every five requests CouchDB served at 1,000 live phones. Following the feed costs one
small read a second per process.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref

from cachetools import TTLCache

log = logging.getLogger(__name__)
POLL_S = 1.0          # the registry's feed is read this often
FEED_BATCH = 500
FOLLOWED_FOR_S = 10   # the feed counts as followed this long after the last read that reached its end
RETRY_S = 5           # after the feed failed
EVICTED_KEPT_S = 120  # how long an eviction is remembered (against a read that began before it)


def sources(key: tuple, value: dict) -> list[str]:
    """The registry documents an answer was read from: a token's answer from the token and its user, a
    session's from the session, a user's from the user."""
    kind, ident = key[0], key[1]
    if kind == "token":
        return ["token:" + ident, "user:" + str(value.get("username", ""))]
    if kind == "sid":
        return ["session:" + ident]
    return ["user:" + ident]


class AuthCache:
    def __init__(self, ttl: float, maxsize: int = 20_000, followed_ttl: float | None = None, feed=None):
        """`feed`: a callable giving the registry (a sync.couch.Database) whose changes to follow, or None."""
        self.enabled = ttl > 0
        self.ttl = ttl
        self.followed_ttl = max(followed_ttl or ttl, ttl)
        self._cache: TTLCache = TTLCache(maxsize=maxsize, ttl=self.followed_ttl or 1)
        self._lock = threading.Lock()
        self._feed = feed
        self._follower: threading.Thread | None = None
        self._followed_at = float("-inf")   # when the feed was last read to its end
        self._evicted: dict[str, float] = {}   # document → when an eviction for it was last seen

    def get(self, key: tuple, load):
        if not self.enabled:
            return load()
        self._follow()
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            value, stored = hit
            if self.following or now - stored < self.ttl:
                return value
        began = time.monotonic()
        value = load()
        if value is not None:
            with self._lock:
                # a change that came while this read was under way may not be in what it read
                if not any(self._evicted.get(doc, -1.0) >= began for doc in sources(key, value)):
                    self._cache[key] = (value, began)
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def forget(self, doc_ids) -> None:
        """Forget every answer read from one of these registry documents."""
        doc_ids = set(doc_ids)
        if not doc_ids:
            return
        now = time.monotonic()
        with self._lock:
            for doc in doc_ids:
                self._evicted[doc] = now
            for key in [k for k, (value, _at) in self._cache.items() if doc_ids & set(sources(k, value))]:
                self._cache.pop(key, None)
            for doc in [d for d, at in self._evicted.items() if now - at > EVICTED_KEPT_S]:
                del self._evicted[doc]

    # -- the follower ------------------------------------------------------
    @property
    def following(self) -> bool:
        """The feed was read to its end a moment ago (a follower stuck on a slow CouchDB stops counting)."""
        return time.monotonic() - self._followed_at < FOLLOWED_FOR_S

    def _follow(self) -> None:
        if self._feed is None or self._follower is not None:
            return
        with self._lock:
            if self._follower is not None:
                return
            # the thread holds the cache weakly: an application dropped (tests make hundreds) ends it
            self._follower = threading.Thread(target=_follow_feed, args=(weakref.ref(self),),
                                              name="auth-cache-feed", daemon=True)
        self._follower.start()


def _follow_feed(ref) -> None:
    """Read the registry's feed from where it stood at the start, every POLL_S seconds (a plain read: both
    engines answer it at once, which a long poll on pouchdb-server does not), until the cache is gone."""
    since = None
    while (cache := ref()) is not None:
        pause = POLL_S
        try:
            registry = cache._feed()
            if since is None:
                since = registry.info()["update_seq"]
            else:
                feed = registry.changes(since=since, limit=FEED_BATCH)
                cache.forget(row["id"] for row in feed.get("results", []) if isinstance(row.get("id"), str))
                since = feed.get("last_seq", since)
                if len(feed.get("results", [])) >= FEED_BATCH:
                    pause = 0   # more to read at once
            cache._followed_at = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - CouchDB away, or a bug: answers expire by `ttl` meanwhile
            log.info("auth cache: the registry's change feed is not followed (%s: %s); answers kept %ss",
                     type(exc).__name__, exc, cache.ttl)
            pause = RETRY_S
        del cache
        time.sleep(pause)
