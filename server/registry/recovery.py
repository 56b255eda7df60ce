"""Puts back an import that a crash stopped half-way (journal still `writing`): nothing stays half-imported."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from server.registry.store import now_iso
from sync.couch import Database, NotFound

log = logging.getLogger(__name__)


def stale_imports(db: Database, older_than_s: int) -> list[dict]:
    """Journals still `writing` after longer than any import request may live (its process is gone)."""
    cutoff = (datetime.now(timezone.utc) - timedelta(seconds=older_than_s)).isoformat(timespec="seconds")
    journals = db.find({"type": "import", "status": "writing"}, limit=1000)
    return [j for j in journals if j.get("at", "") < cutoff]


def _previous_body(db: Database, doc: dict) -> dict | None:
    """The document as it was before this import wrote it: the revision before the current one."""
    info = db.get(doc["_id"], revs_info="true").get("_revs_info", [])
    older = [r["rev"] for r in info[1:] if r.get("status") == "available"]
    if not older:
        return None
    try:
        return db.get(doc["_id"], rev=older[0])
    except NotFound:
        return None


def roll_back(db: Database, journal: dict) -> dict:
    """Delete what the import created; put back the previous body of what it changed."""
    written = db.find({"import_id": journal["_id"].split(":", 1)[1]}, limit=10_000_000)
    undo, unrecoverable = [], []
    for doc in written:
        before = _previous_body(db, doc) if not doc["_rev"].startswith("1-") else None
        if doc["_rev"].startswith("1-"):
            undo.append({"_id": doc["_id"], "_rev": doc["_rev"], "_deleted": True})
        elif before is not None:
            undo.append({**{k: v for k, v in before.items() if k != "_rev"}, "_rev": doc["_rev"]})
        else:
            unrecoverable.append(doc["_id"])   # compacted away: left as imported, and said so
    for start in range(0, len(undo), 2000):
        db.bulk_docs(undo[start:start + 2000])
    journal.update(status="rolled_back_after_crash", recovered_at=now_iso(), undone=len(undo),
                   unrecoverable=unrecoverable[:1000])
    db.put(journal)
    log.warning("import %s rolled back after a crash: %d undone, %d unrecoverable",
                journal["_id"], len(undo), len(unrecoverable))
    return {"import": journal["_id"], "undone": len(undo), "unrecoverable": len(unrecoverable)}


def recover_imports(db: Database, older_than_s: int) -> list[dict]:
    return [roll_back(db, journal) for journal in stale_imports(db, older_than_s)]
