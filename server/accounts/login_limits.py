"""Sign-in limits shared by every login endpoint and every process: counts in one SQLite file in var/.

Flask-Limiter's default store (memory://) counts per process and per endpoint: with several processes and
three ways to sign in (the API's session login and token exchange, the console's form), an attacker had
several times LOGIN_RATE_LIMIT. Here each attempt at any of them is one row in LOGIN_LIMIT_DB (SQLite, on
the machine's disk: no extra service), counted per client address and per username over each window of
LOGIN_RATE_LIMIT; a check and its row are one transaction, so racing processes cannot both slip under a
limit. Rows older than the longest window are deleted as the table is used.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, current_app, render_template, request

from i18n import t
from server.errors import error_response

ENDPOINTS = {"auth.login", "auth.issue_token", "console.login"}
_local = threading.local()
_setup_lock = threading.Lock()
SETUP_WAIT_S = 10


def windows(spec: str) -> list[tuple[int, int]]:
    """(amount, seconds) for each part of a limit like '10 per minute;50 per hour'."""
    from limits import parse_many
    return [(item.amount, item.get_expiry()) for item in parse_many(spec)]


def _connection(path: str) -> sqlite3.Connection:
    conns = getattr(_local, "conns", None) or {}
    _local.conns = conns
    if path not in conns:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
        _set_up(conn)
        conns[path] = conn
    return conns[path]


def _set_up(conn: sqlite3.Connection) -> None:
    """WAL mode and the table. Switching a new file to WAL takes an exclusive lock and SQLite answers "database
    is locked" at once, without waiting its busy timeout, when another connection (thread or process) is
    opening the same file at that moment: so the set-up is retried for a while, one thread at a time here."""
    deadline = time.monotonic() + SETUP_WAIT_S
    with _setup_lock:
        while True:
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, at REAL NOT NULL)")
                conn.execute("CREATE INDEX IF NOT EXISTS attempts_key_at ON attempts (key, at)")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)


def attempt(path: str, keys: list[str], limits: list[tuple[int, int]], now: float | None = None) -> bool:
    """Record one attempt for every key, unless one of them is already at a limit (then False, nothing
    recorded)."""
    now = time.time() if now is None else now
    conn = _connection(path)
    conn.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes: check and insert together
    try:
        longest = max(seconds for _, seconds in limits)
        conn.execute("DELETE FROM attempts WHERE at < ?", (now - longest,))
        for key in keys:
            for amount, seconds in limits:
                (count,) = conn.execute("SELECT COUNT(*) FROM attempts WHERE key = ? AND at >= ?",
                                        (key, now - seconds)).fetchone()
                if count >= amount:
                    conn.execute("COMMIT")
                    return False
        conn.executemany("INSERT INTO attempts (key, at) VALUES (?, ?)", [(k, now) for k in keys])
        conn.execute("COMMIT")
        return True
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _username() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    name = data.get("username") if isinstance(data, dict) or hasattr(data, "get") else None
    return str(name)[:64].strip().lower() if isinstance(name, str) else ""


def _check():
    if request.method != "POST" or request.endpoint not in ENDPOINTS:
        return None
    config = current_app.config
    prefix = config.get("DB_PREFIX", "")
    keys = [f"{prefix}addr:{request.remote_addr or '-'}"]
    if name := _username():
        keys.append(f"{prefix}user:{name}")
    if attempt(config["LOGIN_LIMIT_DB"], keys, windows(config["LOGIN_RATE_LIMIT"])):
        return None
    message = t("error.rate_limited")
    if request.endpoint == "console.login":
        return render_template("login.html", error=message), 429
    return error_response("rate_limited", 429, message)


def init_app(app: Flask) -> None:
    app.before_request(_check)
