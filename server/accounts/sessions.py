"""Server-side browser sessions (`session:<sha256 of the id>` in the registry): a cookie is only as good as
its session document, so logout, "sign out that device" and an admin's revocation end it everywhere.

The signed cookie carries a random session id; only its hash is stored (a copy of the registry does not
give anyone a working cookie). Expired and revoked sessions are removed when their owner lists them."""
from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from datetime import datetime, timedelta, timezone

from sync.couch import Conflict, Database, NotFound

ID_BYTES = 32


def _doc_id(sid: str) -> str:
    return "session:" + hashlib.sha256(sid.encode()).hexdigest()


def public_id(doc: dict) -> str:
    return doc["_id"][len("session:"):][:16]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def create(db: Database, user: dict, hours: int, ip: str | None, agent: str | None) -> str:
    """A new session for `user`; returns the id to put in the cookie (shown nowhere else)."""
    sid = secrets.token_urlsafe(ID_BYTES)
    now = _now()
    db.put({"_id": _doc_id(sid), "type": "session", "username": user["username"],
            "created_at": now.isoformat(timespec="seconds"),
            "expires_at": (now + timedelta(hours=hours)).isoformat(timespec="seconds"),
            "ip": (ip or "")[:64], "agent": (agent or "")[:200]})
    return sid


def live(doc: dict | None) -> bool:
    return bool(doc) and doc.get("type") == "session" and not doc.get("revoked") and \
        datetime.fromisoformat(doc["expires_at"]) > _now()


def lookup(db: Database, sid) -> dict | None:
    """The live session document for a cookie's id, else None."""
    if not isinstance(sid, str) or not 20 <= len(sid) <= 100:
        return None
    doc = db.get_or_none(_doc_id(sid))
    return doc if live(doc) else None


def current_id(sid: str) -> str:
    return _doc_id(sid)[len("session:"):][:16]


def revoke_doc(db: Database, doc: dict) -> None:
    """Delete the session document; a cookie naming it stops working (other processes within AUTH_CACHE_S)."""
    with suppress(NotFound, Conflict):   # already gone, or revoked at the same moment: the outcome is the same
        db.delete(doc["_id"], doc["_rev"])


def revoke(db: Database, sid: str) -> None:
    doc = db.get_or_none(_doc_id(sid)) if isinstance(sid, str) else None
    if doc and doc.get("type") == "session":
        revoke_doc(db, doc)


def of_user(db: Database, username: str) -> list[dict]:
    """The user's live sessions, newest first; expired ones are deleted on the way."""
    docs = db.find({"type": "session", "username": username}, limit=1000, sort=None)
    alive = []
    for doc in docs:
        if live(doc):
            alive.append(doc)
        else:
            revoke_doc(db, doc)
    return sorted(alive, key=lambda d: d["created_at"], reverse=True)


def by_public_id(db: Database, username: str, short: str, doc_type: str) -> dict | None:
    """A session or token of `username` by the short id shown to them; None if unknown or someone else's."""
    if not isinstance(short, str) or len(short) != 16 or any(c not in "0123456789abcdef" for c in short):
        return None
    rows = db.all_docs(include_docs=True, startkey=f"{doc_type}:{short}", endkey=f"{doc_type}:{short}\ufff0",
                       limit=2)
    docs = [r["doc"] for r in rows if r.get("doc") and r["doc"].get("username") == username]
    return docs[0] if len(docs) == 1 else None


def revoke_all(db: Database, username: str) -> int:
    """End every session of `username` (tokens end through the user's session_version)."""
    docs = db.find({"type": "session", "username": username}, limit=10_000, sort=None)
    for doc in docs:
        revoke_doc(db, doc)
    return len(docs)
