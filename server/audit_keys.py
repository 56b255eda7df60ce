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
import re
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
                                                  "AUDIT_CHECKPOINT_DIR", "AUDIT_CHECKPOINT_EVERY_S")})


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


def make_checkpoint(db_name: str, lanes: dict[str, list]) -> dict:
    """A signed statement: at this time the log `db_name` had, in each lane (one process's chain, see
    server/audit.py), `count` entries ending in `head`; `count` at the top is their sum."""
    keys, active = keyring()
    body = {"db": db_name, "lanes": {lane: [count, head] for lane, (count, head) in lanes.items()},
            "count": sum(count for count, _head in lanes.values()), "kid": active,
            "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
    return {**body, "mac": mac(keys[active], _canonical(body))}


def checkpoint_lanes(cp: dict) -> dict[str, tuple[int, str]]:
    """lane → (count, head) of a checkpoint; one written before lanes covers the single chain (lane "")."""
    if isinstance(cp.get("lanes"), dict):
        return {lane: (v[0], v[1]) for lane, v in cp["lanes"].items()
                if isinstance(v, list) and len(v) == 2 and isinstance(v[0], int)}
    return {"": (cp["count"], cp.get("head"))} if isinstance(cp.get("count"), int) else {}


def checkpoint_ok(keys: dict[str, bytes], cp: dict) -> bool:
    body = {k: v for k, v in cp.items() if k != "mac"}
    return mac_ok(keys, cp.get("kid"), _canonical(body), cp.get("mac"))


def write_checkpoint(db_name: str, lanes: dict[str, list]) -> Path | None:
    """Write a checkpoint file atomically (temporary file, then rename): processes never see half a file.
    One lane (a process after its appends): `<lane>-<count>.json`; the whole log (CLI): `all-<time>.json`."""
    folder = checkpoint_dir(db_name)
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    cp = make_checkpoint(db_name, lanes)
    if len(lanes) == 1:
        (lane, (count, _head)), = lanes.items()
        name = f"{lane or 'chain'}-{count:012d}"
    else:
        name = "all-" + re.sub(r"[^0-9]", "", cp["at"])[:17]
    path = folder / f"{name}.json"
    tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(cp, ensure_ascii=False))
    os.replace(tmp, path)
    return path


def maybe_checkpoint(db_name: str, lanes: dict[str, list]) -> None:
    """After an append: a checkpoint of the process's lane at most every AUDIT_CHECKPOINT_EVERY_S."""
    every = float(setting("AUDIT_CHECKPOINT_EVERY_S", 300) or 0)
    if every <= 0 or checkpoint_dir(db_name) is None:
        return
    with _checkpoint_lock:
        if time.monotonic() - _last_checkpoint.get(db_name, -every) < every:
            return
        _last_checkpoint[db_name] = time.monotonic()
    try:
        write_checkpoint(db_name, lanes)
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
    return sorted(found, key=lambda cp: str(cp.get("at") or ""))
