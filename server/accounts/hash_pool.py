"""Password hashing in a bounded pool: at most PASSWORD_HASH_CONCURRENCY Argon2 computations at once per
process, at most PASSWORD_HASH_QUEUE callers waiting for a place (each waiting holds a request thread),
each for at most PASSWORD_HASH_WAIT_S; anyone else is told at once to try again (429).

Argon2id is made to cost CPU and memory (64 MiB each). Sixty failed sign-ins at once, each under every
limit, kept both cores busy for two minutes and /healthz waited 20 s (issue 17): every hash ran at once and
they all shared the CPU. Bounded, the rest of the server keeps a core and each sign-in still finishes in
the time of a few hashes.
"""
from __future__ import annotations

import threading

from flask import current_app, has_app_context

from i18n import t

DEFAULT_CONCURRENCY = 1
DEFAULT_WAIT_S = 3.0
DEFAULT_QUEUE = 4
_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}
_waiting = [0]


class HashBusy(Exception):
    """No hashing place came free in time."""


def _settings() -> tuple[int, float, int]:
    if not has_app_context():
        return DEFAULT_CONCURRENCY, DEFAULT_WAIT_S, DEFAULT_QUEUE
    cfg = current_app.config
    return (max(1, int(cfg.get("PASSWORD_HASH_CONCURRENCY", DEFAULT_CONCURRENCY))),
            float(cfg.get("PASSWORD_HASH_WAIT_S", DEFAULT_WAIT_S)),
            int(cfg.get("PASSWORD_HASH_QUEUE", DEFAULT_QUEUE)))


def _semaphore(size: int) -> threading.BoundedSemaphore:
    with _lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


def bounded(func, *args):
    """`func(*args)` once a hashing place is free; HashBusy if none came free within the wait."""
    size, wait_s, queue = _settings()
    slot = _semaphore(size)
    if not slot.acquire(blocking=False):
        with _lock:
            if _waiting[0] >= queue:
                raise HashBusy()
            _waiting[0] += 1
        try:
            acquired = slot.acquire(timeout=wait_s)
        finally:
            with _lock:
                _waiting[0] -= 1
        if not acquired:
            raise HashBusy()
    try:
        return func(*args)
    finally:
        slot.release()


def busy_answer():
    """The API's answer to HashBusy: 429 in the one error shape (PouchDB and browsers try again)."""
    from server.errors import error_response
    resp = error_response("rate_limited", 429, t("capacity.hash_busy"))
    resp.headers["Retry-After"] = "5"
    return resp
