"""Reports (举报) in their own `reports` database: ids, statuses, receipt codes and loading within scope.

The receipt code is what a reporter keeps to follow the report without an account. It is shown once and
never stored: a report keeps a short, non-secret locator (to find the document) and the salted SHA-256 of
the whole code (to check it). 20 characters of Crockford's base32 (no I, L, O, U: nothing to misread when
typing it back) are 100 random bits; the 70 bits of the secret part are far beyond online guessing under
the status page's rate limit.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import datetime, timezone

from flask import current_app

from server.accounts import roles
from server.db import database
from server.errors import ApiError

REPORTS = "reports"
STATUSES = ("received", "not_safety", "referred", "verifying", "verified_true", "verified_false")
DECIDED = ("not_safety", "referred", "verifying", "verified_true", "verified_false")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"      # Crockford's base32
LOCATOR_CHARS, SECRET_CHARS = 6, 14
KEY_RE = re.compile(r"^[0-9a-f]{32}$")
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def reports():
    """The reports database (never replicated to phones, read only by the server)."""
    return database(REPORTS)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_id() -> str:
    return f"report:{uuid.uuid4().hex}"


def new_receipt() -> tuple[str, dict]:
    """A fresh receipt code (to show once) and what the report keeps of it."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LOCATOR_CHARS + SECRET_CHARS))
    salt = secrets.token_hex(16)
    kept = {"locator": raw[:LOCATOR_CHARS], "salt": salt, "hash": _digest(salt, raw)}
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4)), kept


def normalise_code(text: str) -> str | None:
    """A code as typed (any case, dashes or spaces, I/L/O read as 1/0) → its 20 characters, or None."""
    if not isinstance(text, str) or len(text) > 60:
        return None
    raw = re.sub(r"[\s\-]", "", text).upper().translate(_TYPED)
    if len(raw) != LOCATOR_CHARS + SECRET_CHARS or any(c not in ALPHABET for c in raw):
        return None
    return raw


def _digest(salt: str, raw: str) -> str:
    return hashlib.sha256(f"{salt}:{raw}".encode()).hexdigest()


def find_by_code(text: str) -> dict | None:
    """The report a receipt code belongs to, or None (a wrong code and an unknown one look the same)."""
    raw = normalise_code(text)
    if raw is None:
        return None
    found = reports().find({"type": "report", "receipt.locator": raw[:LOCATOR_CHARS]}, limit=5)
    for doc in found:
        receipt = doc.get("receipt") or {}
        if hmac.compare_digest(_digest(str(receipt.get("salt", "")), raw), str(receipt.get("hash", ""))):
            return doc
    return None


def may_triage(user: dict | None) -> bool:
    return bool(user) and user.get("role") in roles.STAFF


def load_in_scope(user: dict, key: str) -> dict:
    """The report `report:<key>` if the user's region covers it; otherwise 404, like an unknown one."""
    doc = reports().get_or_none(f"report:{key}") if isinstance(key, str) and KEY_RE.fullmatch(key) else None
    if not doc or doc.get("type") != "report" or not may_triage(user) or not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    return doc


def add_history(doc: dict, action: str, by: str, note: str = "") -> None:
    doc.setdefault("history", []).append({"action": action, "at": now_iso(), "by": by, "note": note})


def setting(name: str, default):
    return current_app.config.get(name, default)
