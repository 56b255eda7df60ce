"""Users and API tokens as documents in the registry database (`user:<name>`, `token:<sha256>`)."""
from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from datetime import datetime, timedelta, timezone

from server.accounts import passwords
from sync.couch import Conflict, Database

PUBLIC_FIELDS = ("username", "display_name", "role", "region", "active", "inspector_id", "locale")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def user_id(username: str) -> str:
    return f"user:{username}"


def get_user(db: Database, username: str) -> dict | None:
    if not isinstance(username, str) or not username or len(username) > 64:
        return None
    doc = db.get_or_none(user_id(username.lower()))
    return doc if doc and doc.get("type") == "user" else None


def create_user(db: Database, data: dict) -> dict:
    """Create a user; Conflict if the username is taken."""
    doc = {k: data.get(k) for k in PUBLIC_FIELDS}
    doc.update(_id=user_id(data["username"]), type="user", session_version=1, created_at=now_iso(),
               password_hash=passwords.hash_password(data["password"], _inputs(data)),
               must_change_password=bool(data.get("must_change_password")))
    doc["active"] = data.get("active") is not False
    doc["locale"] = data.get("locale") or "zh_CN"
    db.create(doc)   # two requests racing for one username: one gets it
    return doc


def update_user(db: Database, doc: dict, changes: dict) -> dict:
    changes = dict(changes)
    password = changes.pop("password", None)
    doc.update(changes)
    if password is not None:
        doc["password_hash"] = passwords.hash_password(password, _inputs(doc))
    if password is not None or changes.get("active") is False or "role" in changes or "region" in changes:
        # Ends every open session of this user: their cookie carries the old version.
        doc["session_version"] = doc.get("session_version", 1) + 1
    doc["updated_at"] = now_iso()
    db.put_once(doc)   # two admins changing one user at once: one change is refused, none silently lost
    return doc


def _inputs(data: dict) -> tuple:
    """What a password must not be made of: the user's own name and username."""
    return (data.get("username"), data.get("display_name"))


def authenticate(db: Database, username: str, password: str) -> dict | None:
    """The active user with this password, else None (same cost whether or not the user exists)."""
    doc = get_user(db, username)
    ok = passwords.verify(doc.get("password_hash") if doc else None, password)
    if not ok or not doc or not doc.get("active", True):
        return None
    if passwords.needs_rehash(doc["password_hash"]):
        doc["password_hash"] = passwords.hash_password(password)
        with suppress(Conflict):  # someone else just changed the user; the old hash still verifies
            db.put_once(doc)    # never stored beside a racing password change, which it would undo
    return doc


def token_public_id(token: str) -> str:
    """The short id a user sees for a token (the first 16 hex digits of its hash), never the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _token_doc_id(token: str) -> str:
    return "token:" + hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Database, user: dict, label: str, days: int) -> dict:
    """A new bearer token; only its hash is stored, the token itself is shown once."""
    token = "fk_" + secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(days=days)
    doc = {"_id": _token_doc_id(token), "type": "token", "username": user["username"], "label": label,
           "created_at": now_iso(), "expires_at": expires.isoformat(timespec="seconds"),
           "session_version": user.get("session_version", 1)}
    db.put(doc)
    return {"token": token, "id": doc["_id"][len("token:"):][:16], "label": label,
            "expires_at": doc["expires_at"]}


def user_for_token(db: Database, token: str) -> dict | None:
    if not token.startswith("fk_") or len(token) > 100:
        return None
    doc = db.get_or_none(_token_doc_id(token))
    if not doc or doc.get("type") != "token" or doc.get("revoked"):
        return None
    if datetime.fromisoformat(doc["expires_at"]) <= datetime.now(timezone.utc):
        return None
    user = get_user(db, doc["username"])
    if not user or not user.get("active", True) or user.get("session_version", 1) != doc["session_version"]:
        return None
    return user


def revoke_token(db: Database, token: str) -> bool:
    doc = db.get_or_none(_token_doc_id(token))
    if not doc or doc.get("type") != "token":
        return False
    revoke_token_doc(db, doc)
    return True


def tokens_of(db: Database, user: dict) -> list[dict]:
    """The user's tokens that still work: not revoked, not expired, issued since the last password change."""
    docs = db.find({"type": "token", "username": user["username"]}, limit=1000, sort=None)
    now = datetime.now(timezone.utc)
    return sorted((d for d in docs if not d.get("revoked") and datetime.fromisoformat(d["expires_at"]) > now
                   and d.get("session_version") == user.get("session_version", 1)),
                  key=lambda d: d["created_at"], reverse=True)


def revoke_token_doc(db: Database, doc: dict) -> None:
    doc["revoked"] = now_iso()
    db.put(doc)
