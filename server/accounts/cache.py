"""A short-lived, per-process memory of who a token or session belongs to, so that the sync gateway's
many small requests do not each cost CouchDB reads (measured in docs/benchmarks.md)."""
from __future__ import annotations

import threading

from cachetools import TTLCache


class AuthCache:
    """Positive answers only, for `ttl` seconds. A change made through this process (password, role,
    region, deactivation, token revocation) empties it at once; other processes follow within `ttl`."""

    def __init__(self, ttl: float, maxsize: int = 20_000):
        self.enabled = ttl > 0
        self._cache: TTLCache = TTLCache(maxsize=maxsize, ttl=ttl or 1)
        self._lock = threading.Lock()

    def get(self, key: tuple, load):
        if not self.enabled:
            return load()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        value = load()
        if value is not None:
            with self._lock:
                self._cache[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
