"""The real `make run` web stack for tests: the thread pool on a Unix socket behind the gevent edge.

Started with deploy.edge.commands (what deploy/run.py runs), against the test's CouchDB and DB_PREFIX,
with a deliberately small pool (GUNICORN_THREADS) so that holding it would show at once.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deploy.edge import commands
from deploy.health_wait import wait_for_health

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack_env(app, tmp: Path, port: int, **extra) -> dict:
    cfg = app.config
    env = {**os.environ, "COUCHDB_URL": cfg["COUCHDB_URL"], "DB_PREFIX": cfg["DB_PREFIX"],
           "SECRET_KEY": cfg["SECRET_KEY"], "QR_KEYS": cfg["QR_KEYS"], "QR_ACTIVE_KEY": cfg["QR_ACTIVE_KEY"],
           "PUBLIC_BASE_URL": cfg["PUBLIC_BASE_URL"], "BIND": f"127.0.0.1:{port}",
           "WEB_SOCKET": str(tmp / "web.sock"), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4",
           "ACCESS_LOG": "", "WORKER_NOTIFY_SOCKET": "", "LOGIN_RATE_LIMIT": "1000 per minute"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Stack:
    """Both gunicorns of `make run`; `url` is the edge's address."""

    def __init__(self, app, tmp: Path, **extra):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = stack_env(app, tmp, self.port, **extra)
        pool_cmd, edge_cmd = commands(sys.executable, ROOT, env["WEB_SOCKET"])
        self.log = open(tmp / "stack.log", "wb")
        self.procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
                      for cmd in (pool_cmd, edge_cmd)]
        self._wait_up(tmp)

    def _wait_up(self, tmp: Path) -> None:
        if wait_for_health(self.url, 60, statuses=(200, 503), procs=self.procs):
            return
        self.stop()
        raise AssertionError("the stack did not start: " + (tmp / "stack.log").read_text()[-3000:])

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.log.close()


@pytest.fixture
def stack(app, tmp_path):
    """Start the stack with extra settings: `stack(SYNC_LONGPOLL_S=20)`; stopped after the test."""
    started = []

    def start(**extra) -> Stack:
        started.append(Stack(app, tmp_path, **extra))
        return started[-1]
    yield start
    for s in started:
        s.stop()


def timed_get(url: str, **kwargs) -> tuple[float, int]:
    """(seconds, status) of one GET on a fresh connection."""
    began = time.monotonic()
    resp = httpx.get(url, timeout=30, **kwargs)
    return time.monotonic() - began, resp.status_code
