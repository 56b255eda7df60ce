"""Keeps phones small: closed work leaves a phone after a set time, and each phone stays under its budget."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sync.couch import Database
from sync.phones import remove
from sync.worker.reading import readable_rows

# A task's work is over when its result is published (random part), recorded ("done": targeted checks and
# re-inspections, whose results are not published), or when it was closed or cancelled.
CLOSED = ("done", "published", "closed", "cancelled")


def _finished_at(task: dict) -> str:
    return task.get("published_at") or task.get("result_at") or ""


def _rows(db: Database, prefix: str) -> list[dict]:
    return readable_rows(db, prefix, prefix + "\ufff0")  # a poison document does not stop the purge


def _phone_docs_by_task(db: Database) -> dict[str, list[str]]:
    by_task: dict[str, list[str]] = {}
    for prefix in ("inspection:", "hazard:", "photo:"):
        for doc in _rows(db, prefix):
            by_task.setdefault(doc.get("task"), []).append(doc["_id"])
    return by_task


def purge_phone(db: Database, registry: Database, records: Database, keep_days: int, budget: int) -> dict:
    """Remove closed tasks older than `keep_days`, with their records once filed on the server; then, while
    the database is over `budget` documents, the oldest closed tasks too. Open work is never removed."""
    truth = registry.docs_by_id([t["_id"] for t in _rows(db, "task:")])
    closed = sorted((t for t in truth.values() if t.get("status") in CLOSED),
                    key=lambda t: _finished_at(t) or t.get("created_at", ""))
    cutoff = (datetime.now(timezone.utc) - timedelta(days=keep_days)).isoformat()
    chosen = [t["_id"] for t in closed if t["status"] == "cancelled" or (_finished_at(t) or "~") < cutoff]
    by_task = _phone_docs_by_task(db)
    projected = db.info()["doc_count"] - sum(1 + len(by_task.get(tid, [])) for tid in chosen)
    for task in closed:
        if projected <= budget:
            break
        if task["_id"] not in chosen:
            chosen.append(task["_id"])
            projected -= 1 + len(by_task.get(task["_id"], []))
    own = [doc_id for tid in chosen for doc_id in by_task.get(tid, [])]
    filed = records.docs_by_id(own)
    removed = remove(db, [i for i in own if i in filed] + chosen)  # never what the server has not filed
    return {"removed": removed, "over_budget": db.info()["doc_count"] > budget}
