"""The audit log's keys (AUDIT_KEYS / AUDIT_ACTIVE_KEY) and the signed checkpoints kept outside CouchDB.

Why a key outside CouchDB: whoever holds the CouchDB admin password can delete the validate function,
edit an entry and recompute every later hash. Each entry therefore carries an HMAC-SHA256 of its hash made
with a key that lives only in the server's settings (docs/decisions/0011-audit-log.md: custody, rotation).
A checkpoint (head hash, count, time, signed) is written to a directory outside the database, so that
deleting the last entries, or rewriting the whole log, is seen by `flask --app server verify-audit`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from server.qr.signing import parse_keys

DERIVED_KID = "sk"   # the key derived from SECRET_KEY when no AUDIT_KEYS is set (a fallback, see decision 0011)
_fallback: dict = {}
_last_checkpoint: dict[str, float] = {}
_checkpoint_lock = threading.Lock()


def remember(config) -> None:
    """Keep the settings for code that appends outside an application context (the worker's threads)."""
    _fallback.clear()
    _fallback.update({k: config.get(k) for k in ("AUDIT_KEYS", "AUDIT_ACTIVE_KEY", "SECRET_KEY",
                                                  "AUDIT_CHECKPOINT_DIR", "AUDIT_CHECKPOINT_EVERY_S",
                                                  "AUDIT_APPEND_TIMEOUT_S")})


def setting(name: str, default=None):
    from flask import current_app, has_app_context
    if has_app_context():
        return current_app.config.get(name, default)
    value = _fallback.get(name)
    return default if value is None else value


def keyring() -> tuple[dict[str, bytes], str]:
    """({key id: secret}, active key id). Every listed key verifies; only the active one signs."""
    spec = setting("AUDIT_KEYS") or ""
    if spec:
        return parse_keys(spec), setting("AUDIT_ACTIVE_KEY") or spec.split(":", 1)[0].strip()
    secret = hashlib.sha256(b"audit-log/v1\n" + str(setting("SECRET_KEY") or "").encode("utf-8")).digest()
    return {DERIVED_KID: secret}, DERIVED_KID


def mac(secret: bytes, message: str) -> str:
    return hmac.new(secret, b"audit-log/v1\n" + message.encode("utf-8"), hashlib.sha256).hexdigest()


def mac_ok(keys: dict[str, bytes], kid, message: str, given) -> bool:
    secret = keys.get(kid) if isinstance(kid, str) else None
    return bool(secret) and isinstance(given, str) and hmac.compare_digest(given, mac(secret, message))


def _canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def checkpoint_dir(db_name: str) -> Path | None:
    base = setting("AUDIT_CHECKPOINT_DIR") or ""
    return Path(base) / db_name if base else None


def make_checkpoint(db_name: str, seq: int, head: str) -> dict:
    """A signed statement: the log `db_name` had `seq` entries ending in `head` at this time."""
    keys, active = keyring()
    body = {"db": db_name, "count": seq, "head": head, "kid": active,
            "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
    return {**body, "mac": mac(keys[active], _canonical(body))}


def checkpoint_ok(keys: dict[str, bytes], cp: dict) -> bool:
    body = {k: v for k, v in cp.items() if k != "mac"}
    return mac_ok(keys, cp.get("kid"), _canonical(body), cp.get("mac"))


def write_checkpoint(db_name: str, seq: int, head: str) -> Path | None:
    """Write a checkpoint file atomically (temporary file, then rename): processes never see half a file."""
    folder = checkpoint_dir(db_name)
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{seq:012d}.json"
    tmp = folder / f".{seq:012d}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(make_checkpoint(db_name, seq, head), ensure_ascii=False))
    os.replace(tmp, path)
    return path


def maybe_checkpoint(db_name: str, seq: int, head: str) -> None:
    """After an append: a checkpoint at most every AUDIT_CHECKPOINT_EVERY_S per process and log."""
    every = float(setting("AUDIT_CHECKPOINT_EVERY_S", 300) or 0)
    if every <= 0 or checkpoint_dir(db_name) is None:
        return
    with _checkpoint_lock:
        if time.monotonic() - _last_checkpoint.get(db_name, -every) < every:
            return
        _last_checkpoint[db_name] = time.monotonic()
    try:
        write_checkpoint(db_name, seq, head)
    except OSError:
        # A full disk must not fail the request whose action is already stored; verify-audit reports the
        # age of the newest checkpoint, and the CLI command writes one on demand.
        import logging
        logging.getLogger(__name__).exception("audit checkpoint not written")


def load_checkpoints(db_name: str) -> list[dict]:
    """Every checkpoint file of this log, oldest first; unreadable files come back as {"unreadable": name}."""
    folder = checkpoint_dir(db_name)
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            found.append({"unreadable": path.name})
    return found
