"""Keeps `make run`'s children running: a child that dies is started again after a growing pause, and the
log says so (issue 16: after `kill -9` the worker stayed dead and nothing was filed until someone noticed).

The pause starts at `first_s` and doubles with each death up to `max_s`, so a child that cannot start (a
wrong setting, a port taken) does not spin; a child that ran `stable_s` seconds counts as healthy again and
its next death is answered with the shortest pause. The embedded CouchDB has its own keeper
(sync/embedded.py), which restarts pouchdb-server the same way.
"""
from __future__ import annotations

import logging
import subprocess
import threading
import time

log = logging.getLogger("supervise")


class Child:
    """One supervised process: how to start it, and what happened to it."""

    def __init__(self, name: str, argv: list[str], cwd=None, env: dict | None = None, **popen):
        self.name, self.argv, self.cwd, self.env, self.popen = name, argv, cwd, env, popen
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restarts = 0
        self.pause = 0.0
        self.due = 0.0  # when a dead child is started again (monotonic)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, **self.popen)
        self.started_at = time.monotonic()
        log.info("supervise: started %s (pid %s)", self.name, self.proc.pid)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None


class Supervisor:
    """Starts children and restarts each one that dies, until `stop`."""

    def __init__(self, children: list[Child], first_s: float = 0.5, max_s: float = 30.0, stable_s: float = 60.0,
                 check_s: float = 0.2):
        self.children = children
        self.first_s, self.max_s, self.stable_s, self.check_s = first_s, max_s, stable_s, check_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Supervisor":
        for child in self.children:
            child.start()
        self._thread = threading.Thread(target=self._watch, name="supervise", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stopping.wait(self.check_s):
            for child in self.children:
                self._check(child)

    def _check(self, child: Child) -> None:
        now = time.monotonic()
        if child.due:
            if now >= child.due and not self._stopping.is_set():
                child.due = 0.0
                child.restarts += 1
                try:
                    child.start()
                except OSError as exc:  # the program itself is missing: try again later
                    log.error("supervise: cannot start %s: %s", child.name, exc)
                    self._schedule(child, now)
            return
        code = child.proc.poll() if child.proc else None
        if code is None:
            return
        if now - child.started_at >= self.stable_s:
            child.pause = 0.0  # it had been running well: this death is not part of a crash loop
        self._schedule(child, now)
        log.error("supervise: %s (pid %s) died with exit code %s; restarting it in %.1f s (restart %d)",
                  child.name, child.proc.pid, code, child.pause, child.restarts + 1)

    def _schedule(self, child: Child, now: float) -> None:
        child.pause = min(self.max_s, child.pause * 2) if child.pause else self.first_s
        child.due = now + child.pause

    def stop(self, timeout: float = 20.0) -> None:
        """Stop watching, then end every child: SIGTERM, and SIGKILL for one still alive after `timeout`."""
        self._stopping.set()
        if self._thread:
            self._thread.join(5)
        alive = [c.proc for c in self.children if c.proc and c.proc.poll() is None]
        for proc in alive:
            proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in alive:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def wait(self, stop: threading.Event) -> None:
        """Block until `stop` is set (a signal to the launcher)."""
        while not stop.is_set():
            stop.wait(1.0)   # wakes each second, so a signal handler's stop.set() is seen promptly
