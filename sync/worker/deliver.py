"""Delivers supervisors' review decisions (approved, returned with comments) back to the team's phones."""
from __future__ import annotations

from sync.couch import Database
from sync.phones import ensure_db, write_sealed
from sync.worker.checkpoints import advance

CHECKPOINT = "_local/worker-reviews"


def review_for_phone(review: dict) -> dict:
    """What the phone sees: the decision and the comments, keyed by the inspection it concerns."""
    return {"_id": f"review:{review['inspection']}", "type": "review", "inspection": review["inspection"],
            "ref": review["_id"],  # a correction names the review it answers (InspectionDoc.corrects)
            "decision": review["decision"], "comments": review.get("comments", ""),
            "items": review.get("items", {}), "by_name": review.get("by_name", ""), "at": review["at"]}


def deliver_reviews(server, prefix: str, records: Database, secret: bytes) -> int:
    """Follow `records` for review documents and write each into the inspector databases of its team."""
    checkpoint = records.get_or_none(CHECKPOINT) or {"_id": CHECKPOINT, "seq": "0"}
    delivered = 0
    while True:
        feed = records.changes(since=checkpoint["seq"], limit=200, include_docs=True)
        for change in feed["results"]:
            doc = change.get("doc") or {}
            if doc.get("type") == "review" and not doc.get("_deleted"):
                delivered += _deliver(server, prefix, records, doc, secret)
        if not feed["results"]:
            return delivered
        checkpoint = advance(records, checkpoint, feed["last_seq"])


def _deliver(server, prefix: str, records: Database, review: dict, secret: bytes) -> int:
    inspection = records.get_or_none(review["inspection"])
    if not inspection:
        return 0
    members = {inspection["inspector"]} | set(review.get("team", []))
    for member in sorted(members):
        write_sealed(ensure_db(server, prefix, member), [review_for_phone(review)], secret)
    return 1
