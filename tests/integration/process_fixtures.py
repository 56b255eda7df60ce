"""The real processes of `make run` for tests: gunicorn with the production settings and the worker, started
with the test's settings (its CouchDB, its DB_PREFIX), each stopped when the test ends."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.health_wait import wait_for_health

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(app, couch_url: str, **extra) -> dict:
    """The environment a child process needs to run as this test's application."""
    cfg = app.config
    env = {**os.environ, "COUCHDB_URL": couch_url, "DB_PREFIX": cfg["DB_PREFIX"], "SECRET_KEY": cfg["SECRET_KEY"],
           "QR_KEYS": cfg["QR_KEYS"], "QR_ACTIVE_KEY": cfg["QR_ACTIVE_KEY"],
           "PUBLIC_BASE_URL": cfg["PUBLIC_BASE_URL"], "WORKER_NOTIFY_SOCKET": "", "ACCESS_LOG": ""}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def gunicorn_argv() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "server:create_app()"]


def wait_until_up(url: str, timeout: float = 30) -> None:
    if not wait_for_health(url, timeout, statuses=range(100, 600), poll_s=0.1):
        raise AssertionError(f"{url} did not come up within {timeout} s")


@pytest.fixture
def gunicorn_server(app, couch_url):
    """`start(threads=2, **settings)` runs gunicorn (one process) on a free port and returns its URL."""
    procs = []

    def start(threads: int = 4, **settings) -> str:
        port = free_port()
        env = app_env(app, couch_url, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=1, GUNICORN_THREADS=threads,
                      **settings)
        procs.append(subprocess.Popen(gunicorn_argv(), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url)
        return url
    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
