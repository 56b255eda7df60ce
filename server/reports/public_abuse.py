"""Abuse controls of the public report form that need no account and no third-party service.

- Rate limits per client address, shared by every gunicorn process: the sign-in limits' SQLite table
  (server/accounts/login_limits.py `attempt`, one transaction per check), in its own file REPORT_LIMIT_DB.
  The address is kept only as an HMAC under SECRET_KEY, so the file never lists who sent reports.
- A proof of work (hashcash): the form carries a challenge the server signed (HMAC: issue time, difficulty,
  random id); the page's script finds a nonce whose SHA-256 over `challenge:nonce` starts with that many
  zero bits; the server checks the signature, the age, the work, and that the challenge was never used
  before (a unique row in the same SQLite file, so a replay is refused by whichever process sees it).
  Nothing leaves the building: it works on an intranet and in China without any CAPTCHA provider.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import sqlite3
import time

from flask import current_app, request

from server.accounts import login_limits

_CHALLENGE = re.compile(r"^v1\.(\d{10})\.(\d{1,2})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$")
_NONCE = re.compile(r"^[0-9]{1,20}$")


def _key(purpose: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"reports/" + purpose, hashlib.sha256).digest()


def _address_key(kind: str) -> str:
    digest = hmac.new(_key(b"address"), (request.remote_addr or "-").encode(), hashlib.sha256).hexdigest()[:32]
    return f"{current_app.config.get('DB_PREFIX', '')}report-{kind}:{digest}"


def allow(kind: str) -> bool:
    """Count one request of `kind` ("submit", "status") from this address; False when over its limit."""
    config = current_app.config
    spec = config["REPORT_RATE_LIMIT"] if kind == "submit" else config["REPORT_STATUS_RATE_LIMIT"]
    return login_limits.attempt(config["REPORT_LIMIT_DB"], [_address_key(kind)], login_limits.windows(spec))


def _sign(body: str) -> str:
    mac = hmac.new(_key(b"pow"), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(now: float | None = None) -> str:
    """A fresh signed challenge at the configured difficulty."""
    now = time.time() if now is None else now
    body = f"v1.{int(now):010d}.{current_app.config['REPORT_POW_BITS']}.{secrets.token_hex(16)}"
    return f"{body}.{_sign(body)}"


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def solve(challenge: str) -> str:
    """The smallest nonce for a challenge (what the page's script does; used by tests and the benchmark)."""
    bits = int(challenge.split(".")[2])
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def check(challenge: str, nonce: str, now: float | None = None) -> str | None:
    """None if the work is good and fresh (the challenge is then spent), else the refusal's message key."""
    now = time.time() if now is None else now
    match = _CHALLENGE.fullmatch(challenge or "") if isinstance(challenge, str) else None
    if not match or not hmac.compare_digest(_sign(challenge.rsplit(".", 1)[0]), match[4]):
        return "report.pow_invalid"
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        return "report.pow_missing"
    issued, bits = int(match[1]), int(match[2])
    if bits < current_app.config["REPORT_POW_BITS"]:
        return "report.pow_invalid"
    if not issued - 60 <= now <= issued + current_app.config["REPORT_POW_TTL_S"]:
        return "report.pow_expired"
    if leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        return "report.pow_wrong"
    if not _spend(match[3], issued + current_app.config["REPORT_POW_TTL_S"], now):
        return "report.pow_replayed"
    return None


def _spend(challenge_id: str, expires: float, now: float) -> bool:
    """Mark a challenge used; False if it already was (by any process)."""
    conn = login_limits._connection(current_app.config["REPORT_LIMIT_DB"])
    conn.execute("CREATE TABLE IF NOT EXISTS spent (id TEXT PRIMARY KEY, expires REAL NOT NULL)")
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM spent WHERE expires < ?", (now,))
        try:
            conn.execute("INSERT INTO spent (id, expires) VALUES (?, ?)", (challenge_id, expires + 120))
        except sqlite3.IntegrityError:   # the id is there already: a replay
            conn.execute("COMMIT")
            return False
        conn.execute("COMMIT")
        return True
    except BaseException:
        conn.execute("ROLLBACK")
        raise

